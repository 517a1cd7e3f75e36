{%- set providers = var('venue_providers') %}
{%- set chosen = var('venue_provider') %}
{%- set per_set = chosen if chosen is mapping else {} %}
{%- for provider in ([chosen] if chosen is string else per_set.values()) %}
    {%- if provider != 'auto' and provider not in providers %}
        {{ exceptions.raise_compiler_error(
            "var venue_provider names " ~ provider ~ "; expected auto or one of " ~ providers | join(', ')) }}
    {%- endif %}
{%- endfor %}
with

live as (
    {%- for relation, category_id, tag_key, tag_value in [
        (ref('stg_foursquare_v2__venues'), 'category_id', 'null', 'null'),
        (ref('stg_foursquare__places'), 'category_id', 'null', 'null'),
        (ref('stg_overpass__elements'), 'null', 'tag_key', 'tag_value'),
    ] %}
        select
            provider,
            area_set,
            area_id,
            venue_id,
            venue_name,
            category_name,
            {{ category_id }}::varchar as category_id,
            {{ tag_key }}::varchar as tag_key,
            {{ tag_value }}::varchar as tag_value,
            latitude,
            longitude,
            distance_m,
            response_position,
            loaded_at
        from {{ relation }}
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

areas as (
    select
        area_set,
        area_id,
        geometry_kind,
        geometry
    from {{ ref('int_areas_unioned') }}
),

live_assigned as (
    select
        live.*,
        case when areas.geometry_kind = 'polygon' then 'inside_polygon' else 'as_fetched' end as assigned_by
    from live
    inner join areas
        on
            live.area_set = areas.area_set
            and live.area_id = areas.area_id
    where
        areas.geometry_kind = 'point'
        or st_contains(areas.geometry, st_point(live.longitude, live.latitude))
),

unioned as (
    select * from live_assigned
    union all
    select
        provider,
        area_set,
        area_id,
        venue_id,
        venue_name,
        category_name,
        category_id,
        null::varchar as tag_key,
        tag_value,
        latitude,
        longitude,
        distance_m,
        response_position,
        loaded_at,
        assigned_by
    from {{ ref('int_points_assigned_to_areas') }}
),

landed as (
    select
        area_set,
        provider,
        max(loaded_at) as loaded_at
    from unioned
    group by area_set, provider
),

chosen_providers as (
    select
        area_set,
        {%- set named = per_set.items() | rejectattr(1, 'equalto', 'auto') | list %}
        {%- if chosen is string and chosen != 'auto' %}
            '{{ chosen }}' as provider
        {%- elif named %}
            case area_set
                {%- for area_set, provider in named %}
                    when '{{ area_set }}' then '{{ provider }}'
                {%- endfor %}
                else first(provider order by provider = 'points' asc, loaded_at desc, provider asc)
            end as provider
        {%- else %}
            first(provider order by provider = 'points' asc, loaded_at desc, provider asc) as provider
        {%- endif %}
    from landed
    group by area_set
)

select
    unioned.area_set,
    unioned.area_id,
    unioned.venue_id,
    unioned.venue_name,
    coalesce(nullif(trim(unioned.category_name), ''), '(no category)') as category_name,
    unioned.category_id,
    unioned.tag_key,
    unioned.tag_value,
    unioned.latitude,
    unioned.longitude,
    unioned.distance_m,
    unioned.response_position,
    unioned.provider,
    unioned.assigned_by
from unioned
inner join chosen_providers
    on
        unioned.area_set = chosen_providers.area_set
        and unioned.provider = chosen_providers.provider
