-- One row per name in the neighbourhood text of each assigned page row, in page order.
--
-- The text is read as lines (line breaks split names) and parenthesised groups, which may
-- span lines: "(The Danforth<br>East)" is one name. A group is a list of names: "(Regent Park /
-- Harbourfront)". A compass word on the line after a group qualifies it: "(Don Mills)<br>North"
-- is "Don Mills North". A group "(Enclave of M5E)" is a note, kept and flagged, not a name.
-- Names are then split on " / " and ", ".
with

assigned_rows as (
    select
        postal_code,
        page_row_number,
        regexp_extract_all(neighbourhood_text, '\([^()]*\)|[^\n]+') as tokens
    from {{ ref('int_postal_code_rows_cleaned') }}
    where is_assigned
),

tokens as (
    select
        postal_code,
        page_row_number,
        trim(unnest(tokens)) as token,
        generate_subscripts(tokens, 1) as token_number
    from assigned_rows
),

classified as (
    select
        postal_code,
        page_row_number,
        token_number,
        token,
        regexp_full_match(token, '\([^()]*\)') as is_group,
        lower(token) in (
            'north', 'south', 'east', 'west', 'central',
            'northeast', 'northwest', 'southeast', 'southwest'
        ) as is_compass_word
    from tokens
    where token <> ''
),

read_groups as (
    select
        *,
        case
            when is_group
                then trim(regexp_replace(token[2:-2], '\s+', ' ', 'g'))
            else token
        end as token_text
    from classified
),

notes_marked as (
    select
        *,
        is_group and regexp_full_match(token_text, '(?i)enclave of .*') as is_enclave_note
    from read_groups
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
    from notes_marked
    window token_order as (partition by postal_code, page_row_number order by token_number)
),

split as (
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
)

select
    postal_code,
    row_number() over (
        partition by postal_code
        order by page_row_number, token_number, part_number
    ) as name_number,
    neighbourhood,
    is_enclave_note,
    page_row_number,
    token_number,
    part_number
from split
where neighbourhood <> ''
