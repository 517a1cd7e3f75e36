{% test accepted_values_from_var(model, column_name, var_name) %}
-- Rows whose value is not one of the list in dbt var `var_name` (the one place such lists live,
-- shared with the Python ingesters); nulls pass.
select {{ column_name }} as failing_value
from {{ model }}
where
    {{ column_name }} is not null
    and {{ column_name }} not in (
        {%- for value in var(var_name) %}'{{ value | replace("'", "''") }}'{% if not loop.last %}, {% endif %}{% endfor -%}
    )
{% endtest %}
