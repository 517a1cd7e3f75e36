{% test exactly_one_row_where(model, condition) %}
-- Fails unless exactly one row meets the SQL boolean `condition`; returns the count when it is not one.
select count(*) as matching_rows
from {{ model }}
where {{ condition }}
having count(*) <> 1
{% endtest %}
