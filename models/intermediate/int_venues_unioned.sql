-- The venues of every area of every set, from one provider per set, with how each was assigned:
--   * a live provider's answer (foursquare_v2, foursquare, overpass) is kept as fetched for a point
--     area (as_fetched); for a polygon area, which was fetched as the circle around it, only what
--     falls inside the polygon is kept (inside_polygon);
--   * the points provider's places are assigned in int_points_assigned_to_areas.
-- The provider is var venue_provider, or (auto) per set the provider landed most recently among
-- those that place a venue in it (landing another city's points does not replace this city's
-- venues). A venue without a category gets "(no category)".
{%- set providers = var('venue_providers') %}
{%- set chosen = var('venue_provider') %}
{%- if chosen != 'auto' and chosen not in providers %}
    {{ exceptions.raise_compiler_error(
        "var venue_provider is " ~ chosen ~ "; expected auto or one of " ~ providers | join(', ')) }}
{%- endif %}
with

live as (
    {%- for relation in [
        ref('stg_foursquare_v2__venues'),
        ref('stg_foursquare__places'),
        ref('int_overpass_elements_categorised'),
    ] %}
        select
            provider,
            area_set,
            area_id,
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
        latitude,
        longitude,
        distance_m,
        response_position,
        loaded_at,
        assigned_by
    from {{ ref('int_points_assigned_to_areas') }}
),

chosen_providers as (
    {%- if chosen == 'auto' %}
        select
            area_set,
            first(provider order by loaded_at desc, provider asc) as provider
        from (
            select
                area_set,
                provider,
                max(loaded_at) as loaded_at
            from unioned
            group by area_set, provider
        ) as landed
        group by area_set
    {%- else %}
        select distinct
            area_set,
            '{{ chosen }}' as provider
        from unioned
    {%- endif %}
)

select
    unioned.area_set,
    unioned.area_id,
    unioned.venue_id,
    unioned.venue_name,
    coalesce(nullif(trim(unioned.category_name), ''), '(no category)') as category_name,
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
