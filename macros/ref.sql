{% macro ref() %}
    {#- `ref` as dbt has it, except in analyses and `dbt show`: there a mart resolves to its
        published copy (var published_schema), the tables of the last build that passed, which is
        what users read. Lineage is unchanged. -#}
    {%- set relation = builtins.ref(*varargs, **kwargs) -%}
    {%- if execute and relation is not none and (flags.WHICH == 'show' or model.resource_type == 'analysis') -%}
        {%- if relation.identifier in published_model_names() -%}
            {%- do return(relation.incorporate(path={'schema': var('published_schema')})) -%}
        {%- endif -%}
    {%- endif -%}
    {%- do return(relation) -%}
{% endmacro %}
