-- The rows of the latest landed page, renamed; the text stays as found.
with

pages as (
    select * from {{ source('wikipedia', 'pages') }}
),

postal_code_rows as (
    select * from {{ source('wikipedia', 'postal_code_rows') }}
),

latest_page as (
    select
        load_id,
        revision_id,
        loaded_at
    from pages
    qualify row_number() over (order by loaded_at desc, load_id desc) = 1
)

select
    postal_code_rows.row_number as page_row_number,
    upper(trim(postal_code_rows.postal_code)) as postal_code,
    postal_code_rows.borough as borough_text,
    postal_code_rows.neighbourhood as neighbourhood_text,
    postal_code_rows.layout as page_layout,
    latest_page.revision_id as page_revision_id,
    postal_code_rows.load_id,
    latest_page.loaded_at
from postal_code_rows
inner join latest_page on postal_code_rows.load_id = latest_page.load_id
