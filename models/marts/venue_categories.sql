-- One row per venue category, with the column that holds it in postal_code_category_frequencies:
-- "cat_" and the name in lower-case ASCII, runs of other characters as "_" ("Café" -> cat_cafe).
-- Names that fold to the same column get _2, _3 ... in the order of their names.
with

counts as (
    select
        category,
        count(*) as venue_count,
        count(distinct postal_code) as postal_code_count
    from {{ ref('venues') }}
    group by category
),

folded as (
    select
        *,
        'cat_' || coalesce(
            nullif(trim(regexp_replace(lower(strip_accents(category)), '[^a-z0-9]+', '_', 'g'), '_'), ''),
            'unnamed'
        ) as folded_name
    from counts
),

numbered as (
    select
        *,
        row_number() over (partition by folded_name order by category asc) as fold_number
    from folded
)

select
    category,
    case when fold_number = 1 then folded_name else folded_name || '_' || fold_number end as column_name,
    venue_count,
    postal_code_count
from numbered
order by column_name
