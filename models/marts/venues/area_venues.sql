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
            area_set,
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

-- Each named taxonomy's group of a category id, and of a category name.
by_id as (
    select
        kind,
        category_id,
        first(group_name order by position) as group_name
    from taxonomy
    where category_id is not null
    group by kind, category_id
),

by_name as (
    select
        kind,
        name_key,
        first(group_name order by level, position) as group_name
    from taxonomy
    where kind <> 'osm_openpoiservice'
    group by kind, name_key
),

-- Group names differ between taxonomies (Foursquare's "Dining and Drinking", Overture's "Food and
-- Drink"), so each set's categories are grouped by one of them: the one that knows most of its
-- venues by id or name (ties: var taxonomy_kinds' order).
set_kinds as (
    select
        area_set,
        arg_min(kind, (-venue_count, {{ taxonomy_precedence() }})) as kind
    from (
        select
            refs.area_set,
            known.kind,
            sum(refs.venue_count) as venue_count
        from refs
        inner join (
            select
                kind,
                category_id,
                null as name_key
            from by_id
            union all
            select
                kind,
                null as category_id,
                name_key
            from by_name
        ) as known
            on refs.category_id = known.category_id or refs.name_key = known.name_key
        group by refs.area_set, known.kind
    ) as known_counts
    group by area_set
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

exact as (
    select
        refs.*,
        set_kinds.kind,
        coalesce(
            set_id.group_name, by_tag.group_name, by_tag_value.group_name, set_name.group_name
        ) as category_group,
        case
            when set_id.group_name is not null then set_kinds.kind || ' id'
            when by_tag.group_name is not null then 'osm tag'
            when by_tag_value.group_name is not null then 'osm tag value'
            when set_name.group_name is not null then set_kinds.kind || ' name'
        end as mapped_by
    from refs
    left join set_kinds on refs.area_set = set_kinds.area_set
    left join by_id as set_id on set_kinds.kind = set_id.kind and refs.category_id = set_id.category_id
    left join by_tag on refs.tag_key = by_tag.tag_key and refs.tag_value = by_tag.tag_value
    left join by_tag_value on refs.tag_key is null and refs.tag_value = by_tag_value.tag_value
    left join by_name as set_name on set_kinds.kind = set_name.kind and refs.name_key = set_name.name_key
),

-- A name no taxonomy knows as it is spelt ("Pizza Place", where the set's taxonomy says
-- "Pizzeria"; "Ice Cream Shop" for "Ice Cream Parlor") takes the group of the set's taxonomy's
-- category that shares most of its words: words compared by their first four letters, each weighed
-- by how rare it is among the taxonomy's and the data's category names (inverse document
-- frequency, so "place" or "shop" count for little), and at least half of the name's weight shared
-- (ties: the shallower, then the first category).
taxonomy_words as (
    select distinct
        kind,
        name_key,
        group_name,
        level,
        position,
        left(unnest({{ category_words('category_name') }}), 4) as word
    from taxonomy
    where kind <> 'osm_openpoiservice'
),

unknown_words as (
    select distinct
        kind,
        category_name,
        left(unnest({{ category_words('category_name') }}), 4) as word
    from exact
    where category_group is null and kind is not null
),

name_words as (
    select distinct
        name_key,
        word
    from taxonomy_words
    union
    select distinct
        {{ category_key('category_name') }} as name_key,
        left(unnest({{ category_words('category_name') }}), 4) as word
    from refs
),

word_weights as (
    select
        word,
        ln((select count(distinct all_names.name_key) from name_words as all_names) / count(*)) as weight
    from name_words
    group by word
),

word_scores as (
    select
        unknown_words.kind,
        unknown_words.category_name,
        taxonomy_words.group_name,
        taxonomy_words.level,
        taxonomy_words.position,
        sum(word_weights.weight) as shared_weight
    from unknown_words
    inner join taxonomy_words
        on unknown_words.kind = taxonomy_words.kind and unknown_words.word = taxonomy_words.word
    inner join word_weights on unknown_words.word = word_weights.word
    group by all
),

name_weights as (
    select
        unknown_words.kind,
        unknown_words.category_name,
        sum(word_weights.weight) as name_weight
    from unknown_words
    inner join word_weights on unknown_words.word = word_weights.word
    group by unknown_words.kind, unknown_words.category_name
),

by_words as (
    select
        word_scores.kind,
        word_scores.category_name,
        arg_max(
            word_scores.group_name, (word_scores.shared_weight, -word_scores.level, -word_scores.position)
        ) as group_name
    from word_scores
    inner join name_weights
        on word_scores.kind = name_weights.kind and word_scores.category_name = name_weights.category_name
    where word_scores.shared_weight >= 0.5 * name_weights.name_weight
    group by word_scores.kind, word_scores.category_name
),

categories as (
    select
        exact.area_set,
        exact.category_name,
        exact.category_id,
        exact.tag_key,
        exact.tag_value,
        spellings.category,
        coalesce(exact.category_group, by_words.group_name, '(unmapped)') as category_group,
        coalesce(
            exact.mapped_by, case when by_words.group_name is not null then exact.kind || ' words' end, 'unmapped'
        ) as mapped_by
    from exact
    inner join spellings on exact.name_key = spellings.name_key
    left join by_words
        on
            exact.category_group is null
            and exact.kind = by_words.kind
            and exact.category_name = by_words.category_name
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
        unioned.area_set = categories.area_set
        and unioned.category_name = categories.category_name
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
