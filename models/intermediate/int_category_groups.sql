-- The group each category of the venues rolls up to, through the landed taxonomies, first match
-- wins: by Foursquare id (the v2 tree, then the OS Places table, which keeps the v2 ids), by OSM
-- tag (key and value, then the value alone, for a points file's OSM-style categories), by name
-- (the v2 tree, then OS Places). A category no taxonomy knows goes to the group "(unmapped)":
-- counted and listed (venue_categories), never dropped.
with

refs as (
    select distinct
        category_name,
        category_id,
        tag_key,
        tag_value,
        {{ category_key('category_name') }} as name_key
    from {{ ref('int_venues_unioned') }}
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
)

select
    refs.category_name,
    refs.category_id,
    refs.tag_key,
    refs.tag_value,
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
left join by_id on refs.category_id = by_id.category_id
left join by_tag on refs.tag_key = by_tag.tag_key and refs.tag_value = by_tag.tag_value
left join by_tag_value on refs.tag_key is null and refs.tag_value = by_tag_value.tag_value
left join by_name on refs.name_key = by_name.name_key
