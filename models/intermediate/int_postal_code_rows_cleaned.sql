-- Page rows with the assignment rules applied; every row is kept and flagged.
--   * A row whose borough is "Not assigned" (var unassigned_marker) is unassigned (the marts
--     leave it out).
--   * A "Not assigned" or empty neighbourhood takes the borough's name.
with

postal_code_rows as (
    select * from {{ ref('stg_wikipedia__postal_code_rows') }}
),

normalised as (
    select
        page_row_number,
        postal_code,
        nullif(regexp_replace(trim(borough_text), '\s+', ' ', 'g'), '') as borough,
        nullif(trim(neighbourhood_text), '') as neighbourhood_text
    from postal_code_rows
),

flagged as (
    select
        page_row_number,
        postal_code,
        borough,
        neighbourhood_text,
        coalesce(lower(borough) = '{{ var("unassigned_marker") }}', false) as is_borough_not_assigned,
        coalesce(
            lower(regexp_replace(neighbourhood_text, '\s+', ' ', 'g')) = '{{ var("unassigned_marker") }}', true
        ) as is_neighbourhood_not_assigned
    from normalised
)

select
    page_row_number,
    postal_code,
    borough,
    borough is not null and not is_borough_not_assigned as is_assigned,
    is_neighbourhood_not_assigned as is_neighbourhood_from_borough,
    case
        when is_neighbourhood_not_assigned then borough
        else neighbourhood_text
    end as neighbourhood_text
from flagged
