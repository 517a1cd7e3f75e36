with

page_rows as (
    select
        page_row_number,
        postal_code,
        nullif(regexp_replace(trim(borough_text), '\s+', ' ', 'g'), '') as borough,
        nullif(trim(neighbourhood_text), '') as neighbourhood_text
    from {{ ref('stg_wikipedia__postal_code_rows') }}
),

-- A row whose borough reads "Not assigned" is unassigned; a row without a borough stays, with a
-- null borough that fails the build naming its code. A "Not assigned" or empty neighbourhood takes
-- the borough's name.
assigned_rows as (
    select
        page_row_number,
        postal_code,
        borough,
        case
            when coalesce(
                    lower(regexp_replace(neighbourhood_text, '\s+', ' ', 'g')) = '{{ var("unassigned_marker") }}', true
                ) then borough
            else neighbourhood_text
        end as neighbourhood_text
    from page_rows
    where coalesce(lower(borough) <> '{{ var("unassigned_marker") }}', true)
),

-- The text is read as lines (line breaks split names) and parenthesised groups, which may span
-- lines: "(The Danforth<br>East)" is one name. A compass word on the line after a group qualifies
-- it: "(Don Mills)<br>North" is "Don Mills North". "(Enclave of M5E)" is a note, not a name.
tokens as (
    select
        postal_code,
        page_row_number,
        trim(unnest(token_list)) as token,
        generate_subscripts(token_list, 1) as token_number
    from (
        select
            *,
            regexp_extract_all(neighbourhood_text, '\([^()]*\)|[^\n]+') as token_list
        from assigned_rows
    ) as listed
),

classified as (
    select
        postal_code,
        page_row_number,
        token_number,
        regexp_full_match(token, '\([^()]*\)') as is_group,
        lower(token) in (
            'north', 'south', 'east', 'west', 'central',
            'northeast', 'northwest', 'southeast', 'southwest'
        ) as is_compass_word,
        case
            when regexp_full_match(token, '\([^()]*\)')
                then trim(regexp_replace(token[2:-2], '\s+', ' ', 'g'))
            else token
        end as token_text
    from tokens
    where token <> ''
),

qualified as (
    select
        postal_code,
        page_row_number,
        token_number,
        is_enclave_note,
        case
            when
                is_group
                and not is_enclave_note
                and lead(is_compass_word) over token_order
                then token_text || ' ' || lead(token_text) over token_order
            else token_text
        end as names_text,
        is_compass_word
        and coalesce(lag(is_group and not is_enclave_note) over token_order, false)
            as is_qualifier_of_previous
    from (
        select
            *,
            is_group and regexp_full_match(token_text, '(?i)enclave of .*') as is_enclave_note
        from classified
    ) as notes_marked
    window token_order as (partition by postal_code, page_row_number order by token_number)
),

-- Names are split on " / " and ", ", and numbered in page order.
names as (
    select
        postal_code,
        is_enclave_note,
        neighbourhood,
        row_number() over (
            partition by postal_code
            order by page_row_number, token_number, part_number
        ) as name_number
    from (
        select
            postal_code,
            page_row_number,
            token_number,
            is_enclave_note,
            trim(unnest(name_list)) as neighbourhood,
            generate_subscripts(name_list, 1) as part_number
        from (
            select
                *,
                regexp_split_to_array(names_text, '\s+/\s+|\s*,\s*') as name_list
            from qualified
            where not is_qualifier_of_previous
        ) as separated
    ) as split
    where neighbourhood <> ''
),

postal_codes as (
    select
        postal_code,
        arg_min(borough, page_row_number) as borough,
        count(distinct borough) as borough_count,
        count(*) as page_row_count
    from assigned_rows
    group by postal_code
),

neighbourhood_lists as (
    select
        postal_code,
        list(neighbourhood order by name_number) as neighbourhoods
    from (
        select * from names
        where not is_enclave_note
        qualify row_number() over (partition by postal_code, neighbourhood order by name_number) = 1
    ) as first_mentions
    group by postal_code
),

enclave_notes as (
    select
        postal_code,
        string_agg(regexp_extract(neighbourhood, '(?i)enclave of\s+(.*)', 1), ', ' order by name_number)
            as enclave_of
    from names
    where is_enclave_note
    group by postal_code
)

select
    postal_codes.postal_code,
    postal_codes.borough,
    coalesce(neighbourhood_lists.neighbourhoods, [postal_codes.borough]) as neighbourhoods,
    enclave_notes.enclave_of,
    postal_codes.borough_count,
    postal_codes.page_row_count
from postal_codes
left join neighbourhood_lists on postal_codes.postal_code = neighbourhood_lists.postal_code
left join enclave_notes on postal_codes.postal_code = enclave_notes.postal_code
