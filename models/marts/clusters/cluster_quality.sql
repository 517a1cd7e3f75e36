with

chosen as (
    select * from {{ ref('cluster_model_selection') }}
    where is_chosen
),

settings as (
    select * from {{ ref('cluster_settings') }}
),

judged as (
    select
        chosen.area_set,
        settings.preset,
        chosen.method,
        chosen.feature_level,
        array_to_string(settings.features, ', ') as features,
        settings.sparse_areas,
        chosen.k,
        chosen.silhouette,
        chosen.largest_share,
        chosen.smallest_cluster,
        chosen.seed_agreement,
        chosen.bootstrap_agreement,
        chosen.venue_count_share,
        chosen.meets_rule,
        chosen.diagnostic_sample_size,
        list_filter(
            [
                case
                    when settings.n_clusters = 'auto' and not chosen.meets_rule
                        then 'no k met the auto rule: this is the fewest segments tried, k = ' || chosen.k
                end,
                case
                    when coalesce(chosen.silhouette, 0) < {{ var('weak_silhouette') }}
                        then 'silhouette '
                            || round(coalesce(chosen.silhouette, 0), 2)
                            || ' is below {{ var("weak_silhouette") }}'
                end,
                case
                    when chosen.largest_share > {{ var('weak_largest_share') }}
                        then 'the largest cluster holds '
                            || round(100 * chosen.largest_share)::integer
                            || ' % of the areas (more than '
                            || round(100 * {{ var('weak_largest_share') }})::integer || ' %)'
                end,
                case
                    when chosen.seed_agreement < {{ var('weak_seed_agreement') }}
                        then 'seed agreement '
                            || round(chosen.seed_agreement, 2)
                            || ' is below {{ var("weak_seed_agreement") }}'
                end,
                case
                    when coalesce(chosen.bootstrap_agreement, 0) < {{ var('weak_bootstrap_agreement') }}
                        then 'bootstrap agreement '
                            || round(coalesce(chosen.bootstrap_agreement, 0), 2)
                            || ' is below {{ var("weak_bootstrap_agreement") }}: a redraw of the set''s places'
                            || ' moves many areas to another cluster'
                end
            ],
            lambda reason: reason is not null  -- noqa: RF02
        ) as weak_reasons
    from chosen
    cross join settings
)

select
    *,
    len(weak_reasons) > 0 as is_weak
from judged
