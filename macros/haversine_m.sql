{% macro haversine_m(latitude_1, longitude_1, latitude_2, longitude_2) %}
    {#- Great-circle distance in metres between two WGS84 points (mean Earth radius 6,371,008.8 m). -#}
    (2 * 6371008.8 * asin(sqrt(
        pow(sin(radians(({{ latitude_2 }}) - ({{ latitude_1 }})) / 2), 2)
        + cos(radians({{ latitude_1 }})) * cos(radians({{ latitude_2 }}))
        * pow(sin(radians(({{ longitude_2 }}) - ({{ longitude_1 }})) / 2), 2)
    )))
{% endmacro %}
