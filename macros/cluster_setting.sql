{% macro cluster_setting(name) %}
    {#- A segmentation setting as a build uses it: the dbt var when given, else the preset's
        (var preset, from var presets). -#}
    {%- set presets = var('presets') -%}
    {%- if var('preset') not in presets -%}
        {{ exceptions.raise_compiler_error(
            "var preset is " ~ var('preset') ~ "; expected one of " ~ presets.keys() | join(', ')) }}
    {%- endif -%}
    {%- set value = var(name) -%}
    {%- do return(presets[var('preset')].get(name) if value is none else value) -%}
{% endmacro %}

{% macro selection_methods() %}
    {#- The methods model selection compares: var selection_methods, else the chosen method. -#}
    {%- set methods = var('selection_methods') or [cluster_setting('method')] -%}
    {%- do return([methods] if methods is string else methods) -%}
{% endmacro %}

{% macro sql_list(values) -%}
    {#- A list of strings as a DuckDB list literal, each quoted. -#}
    [{% for value in values %}{{ sql_string(value) }}{% if not loop.last %}, {% endif %}{% endfor %}]
{%- endmacro %}
