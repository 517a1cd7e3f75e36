{% macro check_settings() %}
    {#- Fail a run before any model runs, in one line, when a segmentation setting is not one it
        may take (var setting_choices) or a number is out of its range. -#}
    {%- if execute and flags.WHICH in ('run', 'build') -%}
        {%- set choices = var('setting_choices') -%}
        {%- set problems = [] -%}
        {%- for name in ['feature_level', 'sparse_areas', 'method'] -%}
            {%- if cluster_setting(name) not in choices[name] -%}
                {%- do problems.append(name ~ " is " ~ cluster_setting(name) ~ "; expected one of "
                    ~ choices[name] | join(', ')) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- set features = cluster_setting('features') -%}
        {%- set features = [features] if features is string else (features or []) -%}
        {%- if not features or features | reject('in', choices['features']) | list -%}
            {%- do problems.append("features is " ~ features ~ "; expected one or more of "
                ~ choices['features'] | join(', ')) -%}
        {%- endif -%}
        {%- for method in (selection_methods() if var('selection_methods') else []) | reject('in', choices['method']) -%}
            {%- do problems.append("selection_methods holds " ~ method ~ "; expected some of "
                ~ choices['method'] | join(', ')) -%}
        {%- endfor -%}
        {%- set n_clusters = cluster_setting('n_clusters') | string | trim | lower -%}
        {%- if n_clusters != 'auto' and not (n_clusters is number or n_clusters | int(-1) | string == n_clusters
                and n_clusters | int >= 2) -%}
            {%- do problems.append("n_clusters is " ~ n_clusters ~ "; expected auto or a whole number of 2 or more") -%}
        {%- endif -%}
        {%- if not (2 <= var('k_min') | int(0) <= var('k_max') | int(0)) -%}
            {%- do problems.append("k_min is " ~ var('k_min') ~ " and k_max " ~ var('k_max')
                ~ "; expected 2 <= k_min <= k_max") -%}
        {%- endif -%}
        {%- for name in ['min_venues', 'min_cluster_size'] -%}
            {%- if var(name) | string != var(name) | int(0) | string or var(name) | int(0) < 1 -%}
                {%- do problems.append(name ~ " is " ~ var(name) ~ "; expected a whole number of at least 1") -%}
            {%- endif -%}
        {%- endfor -%}
        {%- if not cluster_setting('density_weight') | float(0) > 0 -%}
            {%- do problems.append("density_weight is " ~ cluster_setting('density_weight')
                ~ "; expected a number above 0") -%}
        {%- endif -%}
        {%- if problems -%}
            {{ exceptions.raise_compiler_error("Segmentation settings (dbt vars): " ~ problems | join('; ')
                ~ ". Nothing was built; the last good build stays published.") }}
        {%- endif -%}
    {%- endif -%}
    select 1
{% endmacro %}
