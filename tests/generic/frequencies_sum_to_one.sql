{% test frequencies_sum_to_one(model, count_column='venue_count', key_column='postal_code', tolerance=0.000001) %}
-- Rows of a one-hot frequency table whose category columns (cat_*) do not sum to 1 when the row
-- has venues, or to 0 when it has none. A null in any column makes the sum null: a failing row.
{%- set category_columns = [] %}
{%- if execute %}
    {%- for column in adapter.get_columns_in_relation(model) if column.name.startswith('cat_') %}
        {%- do category_columns.append(adapter.quote(column.name)) %}
    {%- endfor %}
{%- endif %}
with sums as (
    select
        {{ key_column }},
        {{ count_column }},
        {{ category_columns | join(' + ') if category_columns else '0' }} as frequency_sum
    from {{ model }}
)

select *
from sums
where
    frequency_sum is null
    or {{ count_column }} is null
    or abs(frequency_sum - case when {{ count_column }} > 0 then 1 else 0 end) > {{ tolerance }}
{% endtest %}
