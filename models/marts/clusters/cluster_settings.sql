{%- set features = cluster_setting('features') %}
{%- set features = [features] if features is string else features %}
{%- set methods = selection_methods() %}
{%- set wanted = var('area_set', none) %}
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
