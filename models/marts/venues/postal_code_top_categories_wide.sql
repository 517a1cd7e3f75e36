{%- set ordinals = ['1st', '2nd', '3rd', '4th', '5th', '6th', '7th', '8th', '9th', '10th'] %}
with

top_categories as (
    select
        area_id as postal_code,
        category_rank,
        category
    from {{ ref('area_top_categories') }}
    where area_set in (select located.area_set from {{ ref('int_postal_codes_located') }} as located)
)

select
    postal_codes.postal_code,
    postal_codes.borough,
    postal_codes.neighbourhood,
    {%- for ordinal in ordinals %}
        max(top_categories.category) filter (where top_categories.category_rank = {{ loop.index }})
            as "{{ ordinal }} Most Common Venue"{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ ref('postal_codes') }} as postal_codes
left join top_categories on postal_codes.postal_code = top_categories.postal_code
group by postal_codes.postal_code, postal_codes.borough, postal_codes.neighbourhood
order by postal_codes.postal_code
