{%- set features = cluster_setting('features') %}
{%- set features = [features] if features is string else features %}
{%- set methods = selection_methods() %}
{%- set wanted = var('area_set', none) %}
{%- set n_clusters = cluster_setting('n_clusters') | string | trim | lower %}
{#- The fewest venues an area needs to be clustered. -#}
{%- set clustered_min_venues = var('min_venues') if cluster_setting('sparse_areas') == 'exclude' else 1 %}
{%- set needed = "at least " ~ clustered_min_venues ~ " venues" if clustered_min_venues > 1 else "a venue" %}
with

sets as (
    select
        area_set,
        bool_or(is_postal) as is_postal
    from {{ ref('int_areas_unioned') }}
    group by area_set
),

-- var area_set, else the postal set, else the only set there is.
chosen_set as (
    select
        {%- if wanted %}
            '{{ wanted }}' as area_set,
            'var area_set' as chosen_by
        {%- else %}
            coalesce(
                (
                    select min(sets.area_set) from sets
                    where sets.is_postal
                ),
                (
                    select min(sets.area_set) from sets
                    having count(*) = 1
                )
            ) as area_set,
            case
                when (
                    select count(*) from sets
                    where sets.is_postal
                ) > 0 then 'the postal set'
                else 'the only set'
            end as chosen_by
        {%- endif %}
),

set_categories as (
    select
        category,
        category_group,
        count(*) as venue_count
    from {{ ref('area_venues') }}
    where area_set in (select chosen_set.area_set from chosen_set)
    group by category, category_group
),

mapped as (
    select
        coalesce(
            sum(venue_count) filter (where category_group <> '(unmapped)') / nullif(sum(venue_count), 0), 0
        ) as mapped_share,
        coalesce(
            array_to_string(
                list_slice(
                    list(category || ' (' || venue_count || ')' order by venue_count desc, category asc)
                    filter (where category_group = '(unmapped)'),
                    1,
                    10
                ),
                ', '
            ),
            ''
        ) as commonest_unmapped
    from set_categories
),

-- The areas that will be clustered; a set with none, or too few for n_clusters, fails here in
-- one line (nothing is published).
clustered as (
    select count(*) as area_count
    from (
        select area_venues.area_id
        from {{ ref('area_venues') }} as area_venues
        where area_venues.area_set in (select chosen_set.area_set from chosen_set)
        group by area_venues.area_id
        having count(*) >= {{ clustered_min_venues }}
    ) as areas_with_venues
),

checked as (
    select
        case
            -- a set that does not exist is flagged (is_known_set), and a data test fails naming the sets
            when chosen_set.area_set is null or chosen_set.area_set not in (select sets.area_set from sets) then true
            when clustered.area_count = 0
                then error(
                        'area set ' || chosen_set.area_set || ' has no area with '
                        || '{{ needed }}'
                        || ' from the venue provider chosen for it (var venue_provider: '
                        || '{{ var("venue_provider") | string | replace("'", "") }}'
                        || '), so there is nothing to cluster: land places for it (python -m ingest venues '
                        || '--area-set ' || chosen_set.area_set || ') or check why none falls inside its areas'
                    )
            {%- if n_clusters != 'auto' %}
                when clustered.area_count // {{ var('min_cluster_size') }} < {{ n_clusters | int }}
                    then error(
                        'n_clusters is {{ n_clusters }}, but ' || clustered.area_count
                        || ' clustered areas allow 2 … ' || clustered.area_count // {{ var('min_cluster_size') }}
                        || ' (at least 2 clusters, each of at least min_cluster_size = '
                        || '{{ var("min_cluster_size") }} areas); set n_clusters in that range, or auto'
                    )
            {%- endif %}
            else true
        end as is_sound
    from chosen_set
    cross join clustered
)

select
    chosen_set.area_set,
    chosen_set.chosen_by,
    coalesce(chosen_set.area_set in (select sets.area_set from sets), false) as is_known_set,
    (select list(sets.area_set order by sets.area_set) from sets) as known_sets,
    '{{ var("preset") }}' as preset,
    {%- if cluster_setting('feature_level') == 'auto' %}
        case
            when mapped.mapped_share >= {{ var('min_group_mapped_share') }} then 'group' else 'category'
        end as feature_level,
    {%- else %}
        '{{ cluster_setting("feature_level") }}' as feature_level,
    {%- endif %}
    mapped.mapped_share as group_mapped_share,
    mapped.commonest_unmapped,
    {{ sql_list(features) }} as features,
    '{{ cluster_setting("sparse_areas") }}' as sparse_areas,
    {{ cluster_setting("density_weight") }}::double as density_weight,
    {{ var('min_venues') }} as min_venues,
    {{ clustered_min_venues }} as clustered_min_venues,
    '{{ cluster_setting("method") }}' as method,  -- noqa: RF04
    {{ sql_list(methods) }} as selection_methods,
    '{{ cluster_setting("n_clusters") }}' as n_clusters,
    {{ var('k_min') }} as k_min,
    {{ var('k_max') }} as k_max,
    {{ var('random_state') }} as random_state,
    {{ var('n_init') }} as n_init,
    {{ var('min_cluster_size') }} as min_cluster_size,
    {{ var('min_seed_agreement') }} as min_seed_agreement,
    {{ var('min_bootstrap_agreement') }} as min_bootstrap_agreement,
    {{ var('max_largest_share') }}::double as max_largest_share,
    {{ var('stability_seeds') }} as stability_seeds,
    {{ var('stability_resamples') }} as stability_resamples,
    {{ var('stability_sample_size') }} as stability_sample_size,
    {{ var('label_min_lift') }}::double as label_min_lift,
    {{ var('label_min_venues') }} as label_min_venues
from mapped
cross join chosen_set
cross join checked
where checked.is_sound
