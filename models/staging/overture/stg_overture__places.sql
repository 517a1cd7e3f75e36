with

extracts as (
    select * from {{ ref('stg_overture__extracts') }}
),

places as (
    select
        places.*,
        extracts.release,
        extracts.loaded_at
    from {{ source('overture', 'overture_places') }} as places
    inner join extracts on places.load_id = extracts.load_id
    -- a place in two extents once, from the latest extract
    qualify row_number() over (
            partition by places.id order by extracts.loaded_at desc, extracts.load_id desc
        ) = 1
),

display_names as (
    select
        category_id,
        first(category_name order by position) as category_name
    from {{ ref('stg_taxonomy__categories') }}
    where kind = 'overture'
    group by category_id
)

select
    places.id as venue_id,
    places.name as venue_name,
    coalesce(display_names.category_name, {{ readable_category('places.category') }}) as category_name,
    places.category as category_id,
    places.basic_category,
    places.confidence,
    places.operating_status,
    places.dataset,
    places.latitude,
    places.longitude,
    places.excluded as problem,
    places.release,
    'overture' as provider,
    places.load_id,
    places.loaded_at
from places
left join display_names on places.category = display_names.category_id
