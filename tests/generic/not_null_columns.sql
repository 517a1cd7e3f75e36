{% test not_null_columns(model, column_names) %}
-- Rows where any of the listed columns is null (one test for a model's required columns).
select
    {%- for column in column_names %}
    {{ column }} is null as {{ column }}_is_null{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ model }}
where
    {%- for column in column_names %}
    {{ column }} is null{% if not loop.last %} or{% endif %}
    {%- endfor %}
{% endtest %}
