with

settings as (
    select * from {{ ref('cluster_settings') }}
),

areas as (
    select areas.*
    from {{ ref('areas') }} as areas
    inner join settings on areas.area_set = settings.area_set
),

chosen as (
    select * from {{ ref('cluster_model_selection') }}
    where is_chosen
),

assigned as (
    select
        unnest(area_ids) as area_id,
        unnest(cluster_ids) as cluster_id,
        unnest(distances) as distance_to_centre,
        unnest(confidence) as assignment_confidence
    from chosen
)

select
    areas.area_set,
    areas.area_id,
    assigned.cluster_id,
    assigned.distance_to_centre,
    assigned.assignment_confidence,
    assigned.cluster_id is not null as is_clustered,
    areas.venue_count < settings.min_venues as is_sparse,
    -- A search circle stops at the provider's limit: its count (and density) is a floor.
    areas.geometry_kind <> 'polygon' and areas.venue_count >= {{ var('venue_limit') }} as is_at_venue_limit,
    case
        when assigned.cluster_id is not null
            and areas.venue_count < settings.min_venues
            and settings.sparse_areas in ('shrink', 'neighbours')
            then 'clustered_shrunk'
        when assigned.cluster_id is not null then 'clustered'
        when areas.venue_count = 0 then 'no_venues'
        else 'insufficient_venues'
    end as status,
    case
        when assigned.cluster_id is not null
            and areas.venue_count < settings.min_venues
            and settings.sparse_areas in ('shrink', 'neighbours')
            then 'Clustered on ' || areas.venue_count || ' venue(s), fewer than ' || settings.min_venues
                || ': its shares were shrunk toward '
                || case when settings.sparse_areas = 'shrink' then 'the city''s mix' else 'its neighbours'' mix' end
        when assigned.cluster_id is not null and areas.venue_count < settings.min_venues
            then 'Clustered on ' || areas.venue_count || ' venue(s), fewer than ' || settings.min_venues
                || ': thin evidence (sparse_areas = ' || settings.sparse_areas || ')'
        when assigned.cluster_id is not null then 'Clustered'
        when areas.venue_count = 0 then 'Not clustered: no venues found in this area'
        else 'Not clustered: ' || areas.venue_count || ' venue(s), fewer than min_venues = ' || settings.min_venues
    end as status_reason,
    -- The status in words, the same for every area of a status (the map's legend, the report).
    case status
        when 'clustered' then 'Clustered'
        when 'clustered_shrunk' then 'Clustered on fewer than ' || settings.min_venues || ' venues (shares shrunk)'
        when 'no_venues' then 'No venues'
        else 'Not clustered: fewer than ' || settings.min_venues || ' venues'
    end as status_label,
    (select chosen.k from chosen) as n_clusters,
    coalesce(try_cast(settings.n_clusters as integer), (select chosen.k from chosen)) as requested_k,
    settings.method,
    settings.feature_level,
    array_to_string(settings.features, ', ') as features
from areas
cross join settings
left join assigned on areas.area_id = assigned.area_id
order by areas.area_id
