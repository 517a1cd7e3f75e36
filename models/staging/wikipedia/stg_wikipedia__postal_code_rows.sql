with

latest_page as (
    {{ latest_load(source('wikipedia', 'pages')) }}
),

postal_code_rows as (
    select * from {{ source('wikipedia', 'postal_code_rows') }}
)

select
    postal_code_rows.row_number as page_row_number,
    upper(trim(postal_code_rows.postal_code)) as postal_code,
    postal_code_rows.borough as borough_text,
    postal_code_rows.neighbourhood as neighbourhood_text,
    postal_code_rows.layout as page_layout,
    latest_page.revision_id as page_revision_id,
    latest_page.area_set,
    latest_page.source as page_source,
    postal_code_rows.load_id,
    latest_page.loaded_at
from postal_code_rows
inner join latest_page on postal_code_rows.load_id = latest_page.load_id
