with

-- Materialised once: the categories below are worked out from its small distinct list of category
-- references, and the venues are written from it, without computing the union twice.
unioned as materialized (
    select * from {{ ref('int_venues_unioned') }}
),

refs as (
    select
        *,
        {{ category_key('category_name') }} as name_key
    from (
        select
            category_name,
            category_id,
            tag_key,
            tag_value,
            count(*) as venue_count
        from unioned
        group by all
    ) as distinct_refs
),

-- Names that differ only by case, accents, punctuation or spacing are one category, named by the
-- spelling its venues use most (ties: the first spelling in code-point order).
spellings as (
    select
        name_key,
        first(category_name order by venue_count desc, category_name asc) as category
    from (
        select
            name_key,
            category_name,
            sum(venue_count) as venue_count
        from refs
        group by name_key, category_name
    ) as spelt
    group by name_key
),

taxonomy as (
    select * from {{ ref('stg_taxonomy__categories') }}
),

by_id as (
    select
        category_id,
        first(group_name order by kind = 'foursquare_v2' desc, position) as group_name,
        first(kind order by kind = 'foursquare_v2' desc, position) as kind
    from taxonomy
    where category_id is not null
    group by category_id
),

by_tag as (
    select
        tag_key,
        category_name as tag_value,
        first(group_name order by position) as group_name
    from taxonomy
    where kind = 'osm_openpoiservice'
    group by tag_key, category_name
),

by_tag_value as (
    select
        category_name as tag_value,
        first(group_name order by list_position({{ var('osm_tag_keys') }}, tag_key) nulls last, position) as group_name
    from taxonomy
    where kind = 'osm_openpoiservice'
    group by category_name
),

by_name as (
    select
        name_key,
        first(group_name order by kind = 'foursquare_v2' desc, level, position asc) as group_name,
        first(kind order by kind = 'foursquare_v2' desc, level, position asc) as kind
    from taxonomy
    where kind <> 'osm_openpoiservice'
    group by name_key
),

categories as (
    select
        refs.category_name,
        refs.category_id,
        refs.tag_key,
        refs.tag_value,
        spellings.category,
        coalesce(
            by_id.group_name, by_tag.group_name, by_tag_value.group_name, by_name.group_name, '(unmapped)'
        ) as category_group,
        case
            when by_id.group_name is not null then by_id.kind || ' id'
            when by_tag.group_name is not null then 'osm tag'
            when by_tag_value.group_name is not null then 'osm tag value'
            when by_name.group_name is not null then by_name.kind || ' name'
            else 'unmapped'
        end as mapped_by
    from refs
    inner join spellings on refs.name_key = spellings.name_key
    left join by_id on refs.category_id = by_id.category_id
    left join by_tag on refs.tag_key = by_tag.tag_key and refs.tag_value = by_tag.tag_value
    left join by_tag_value on refs.tag_key is null and refs.tag_value = by_tag_value.tag_value
    left join by_name on refs.name_key = by_name.name_key
),

repeats as (
    select
        area_set,
        area_id,
        venue_id,
        min(response_position) as first_position
    from unioned
    group by area_set, area_id, venue_id
    having count(*) > 1
)

select
    unioned.area_set,
    unioned.area_id,
    unioned.venue_id,
    unioned.venue_name as name,
    categories.category,
    unioned.category_name as category_as_found,
    categories.category_group,
    categories.mapped_by as group_mapped_by,
    unioned.latitude,
    unioned.longitude,
    unioned.distance_m,
    unioned.response_position,
    unioned.provider,
    unioned.assigned_by
from unioned
inner join categories
    on
        unioned.category_name = categories.category_name
        and unioned.category_id is not distinct from categories.category_id
        and unioned.tag_key is not distinct from categories.tag_key
        and unioned.tag_value is not distinct from categories.tag_value
left join repeats
    on
        unioned.area_set = repeats.area_set
        and unioned.area_id = repeats.area_id
        and unioned.venue_id = repeats.venue_id
where repeats.first_position is null or unioned.response_position = repeats.first_position
order by unioned.area_set, unioned.area_id, unioned.response_position
