-- The latest extract of each set's extent (or of each --bbox), so a newer release replaces an
-- older one, and extracts of other sets stay beside it.
select
    load_id,
    release,
    area_set,
    west,
    south,
    east,
    north,
    min_confidence,
    loaded_at
from {{ source('overture', 'overture_extracts') }}
qualify row_number() over (
        partition by coalesce(area_set, concat_ws(',', west, south, east, north))
        order by loaded_at desc, load_id desc
    ) = 1
