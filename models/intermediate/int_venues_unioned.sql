-- The venues of every area from one provider: `venue_provider` (default auto: the provider
-- landed most recently). A venue without a category gets "(no category)".
{%- set providers = var('venue_providers') %}
{%- set chosen = var('venue_provider') %}
{%- if chosen != 'auto' and chosen not in providers %}
    {{ exceptions.raise_compiler_error(
        "var venue_provider is " ~ chosen ~ "; expected auto or one of " ~ providers | join(', ')) }}
{%- endif %}
with

unioned as (
    {%- for relation in [
        ref('stg_foursquare_v2__venues'),
        ref('stg_foursquare__places'),
        ref('int_overpass_elements_categorised'),
        ref('int_points_joined_to_postal_codes'),
    ] %}
        select
            provider,
            postal_code,
            venue_id,
            venue_name,
            category_name,
            latitude,
            longitude,
            distance_m,
            response_position,
            loaded_at
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

chosen_provider as (
    {%- if chosen == 'auto' %}
        select provider
        from unioned
        order by loaded_at desc, provider asc
        limit 1
    {%- else %}
    select '{{ chosen }}' as provider
    {%- endif %}
)

select
    postal_code,
    venue_id,
    venue_name,
    coalesce(nullif(trim(category_name), ''), '(no category)') as category_name,
    latitude,
    longitude,
    distance_m,
    response_position,
    provider
from unioned
where provider in (select chosen_provider.provider from chosen_provider)
