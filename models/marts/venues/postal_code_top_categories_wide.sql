-- The top-10 table in the seed notebook's shape (and its column names): one row per area, "1st Most Common Venue" ...
-- "10th Most Common Venue" (null where an area has fewer categories).
{%- set ordinals = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th'] %}
with

areas as (
    select * from {{ ref('postal_codes') }}
),

top_categories as (
    select * from {{ ref('postal_code_top_categories') }}
)

select
    areas.postal_code,
    areas.borough,
    areas.neighbourhood,
    {%- for ordinal in ordinals %}
        max(top_categories.category) filter (where top_categories.category_rank = {{ loop.index }})
            as "{{ ordinal }} Most Common Venue"{% if not loop.last %},{% endif %}
    {%- endfor %}
from areas
left join top_categories on areas.postal_code = top_categories.postal_code
group by areas.postal_code, areas.borough, areas.neighbourhood
order by areas.postal_code
