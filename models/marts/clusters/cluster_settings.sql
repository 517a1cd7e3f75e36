-- The segmentation settings a build uses, one row: each setting given as a dbt var, else the
-- preset's (var preset: default or notebook; macro cluster_setting). feature_level auto is
-- resolved here: group when the taxonomies map at least 80 % of the chosen set's venues to a
-- group, else category.
{%- set features = cluster_setting('features') %}
{%- set features = [features] if features is string else features %}
{%- set methods = selection_methods() %}
with

chosen_set as (
    select area_set from {{ ref('int_area_set_chosen') }}
),

mapped as (
    select
        coalesce(
            count(*) filter (where venues.category_group <> '(unmapped)') / nullif(count(*), 0), 0
        ) as mapped_share
    from {{ ref('area_venues') }} as venues
    where venues.area_set in (select chosen_set.area_set from chosen_set)
)

select
    (select chosen_set.area_set from chosen_set) as area_set,
    '{{ var("preset") }}' as preset,
    {%- if cluster_setting('feature_level') == 'auto' %}
        case when mapped.mapped_share >= 0.8 then 'group' else 'category' end as feature_level,
    {%- else %}
        '{{ cluster_setting("feature_level") }}' as feature_level,
    {%- endif %}
    mapped.mapped_share as group_mapped_share,
    [{% for block in features %}'{{ block }}'{% if not loop.last %}, {% endif %}{% endfor %}] as features,
    '{{ cluster_setting("sparse_areas") }}' as sparse_areas,
    {{ var('min_venues') }} as min_venues,
    '{{ cluster_setting("method") }}' as method,  -- noqa: RF04
    [{% for method in methods %}'{{ method }}'{% if not loop.last %}, {% endif %}{% endfor %}] as selection_methods,
    '{{ cluster_setting("n_clusters") }}' as n_clusters,
    {{ var('k_min') }} as k_min,
    {{ var('k_max') }} as k_max,
    {{ var('random_state') }} as random_state,
    {{ var('n_init') }} as n_init,
    {{ var('min_cluster_size') }} as min_cluster_size,
    {{ var('min_seed_agreement') }} as min_seed_agreement,
    {{ var('max_largest_share') }} as max_largest_share,
    {{ var('stability_seeds') }} as stability_seeds,
    {{ var('stability_resamples') }} as stability_resamples,
    {{ var('stability_sample_size') }} as stability_sample_size
from mapped
