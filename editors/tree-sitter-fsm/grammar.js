/**
 * @file Tree-sitter grammar for the `.fsm` state-machine language.
 * @license MIT OR Apache-2.0
 *
 * It follows the grammar in docs/language.md and the parser in
 * crates/fsm-core/src/parser/. It is meant for editors: it accepts every
 * spec the parser accepts, and leaves name resolution and typing to the
 * checker (`fsm check`, `fsm lsp`).
 */

/// <reference types="tree-sitter-cli/dsl" />
// @ts-check

// Binding strength of the operators, loosest first (docs/language.md,
// "Expressions").
const PREC = {
  quantifier: 0,
  or: 1,
  and: 2,
  comparison: 3,
  additive: 4,
  multiplicative: 5,
  unary: 6,
  method: 7,
};

// Every reserved word; a bound method's name may be any of them.
const KEYWORDS = [
  'machine', 'key', 'extern', 'enum', 'phases', 'initial', 'terminal',
  'state', 'input', 'effect', 'guard', 'guards', 'action', 'do', 'const',
  'derive', 'transition', 'on', 'from', 'except', 'stay', 'ignore', 'in',
  'invariant', 'verify', 'emit', 'if', 'else', 'true', 'false', 'none',
  'some', 'all', 'any', 'phase', 'target', 'impl', 'fn',
];

// Keywords that are named nodes of their own.
const NAMED_KEYWORDS = ['stay', 'phase', 'target', 'none'];

/**
 * One or more `rule`s separated by `separator`.
 * @param {RuleOrLiteral} rule
 * @param {RuleOrLiteral} separator
 */
function sep1(rule, separator) {
  return seq(rule, repeat(seq(separator, rule)));
}

/**
 * Zero or more `rule`s separated by commas, with an optional trailing comma.
 * @param {RuleOrLiteral} rule
 */
function commaList(rule) {
  return optional(seq(sep1(rule, ','), optional(',')));
}

/**
 * Elements of a braced block, each optionally ended by `,` or `;`.
 * @param {RuleOrLiteral} rule
 */
function braced(rule) {
  return seq('{', repeat(seq(rule, optional(choice(',', ';')))), '}');
}

module.exports = grammar({
  name: 'fsm',

  word: $ => $.identifier,

  extras: $ => [/\s/, $.comment, $.doc_comment],

  supertypes: $ => [$._item, $._statement, $._expression],

  rules: {
    source_file: $ => repeat(choice($.machine, ';')),

    machine: $ => seq(
      'machine',
      field('name', $.identifier),
      '{',
      repeat(seq($._item, optional(';'))),
      '}',
    ),

    _item: $ => choice(
      $.key_item,
      $.extern_item,
      $.enum_item,
      $.phases_item,
      $.phase_set_item,
      $.initial_item,
      $.terminal_item,
      $.const_item,
      $.state_item,
      $.input_item,
      $.effect_item,
      $.guards_item,
      $.action_item,
      $.derive_item,
      $.transition_item,
      $.ignore_item,
      $.invariant_item,
      $.verify_item,
      $.impl_item,
    ),

    key_item: $ => seq('key', field('name', $.identifier), ':', field('type', $._type)),

    extern_item: $ => seq('extern', field('name', $.identifier), '=', field('path', $.rust_path)),

    rust_path: $ => sep1($.identifier, '::'),

    enum_item: $ => seq(
      'enum',
      field('name', $.identifier),
      optional(seq('=', field('path', $.rust_path))),
      field('body', $.variant_list),
    ),

    phases_item: $ => seq('phases', field('body', $.variant_list)),

    variant_list: $ => braced($.variant),

    variant: $ => field('name', $.identifier),

    phase_set_item: $ => seq(
      'phases',
      field('name', $.identifier),
      '=',
      field('phases', $.phase_list),
    ),

    phase_list: $ => sep1($.identifier, '|'),

    initial_item: $ => seq('initial', field('phase', $.identifier)),

    terminal_item: $ => seq('terminal', sep1(field('phase', $.identifier), ',')),

    const_item: $ => seq(
      'const',
      field('name', $.identifier),
      ':',
      field('type', $._type),
      '=',
      field('value', $._expression),
    ),

    state_item: $ => seq('state', braced($.state_field)),

    state_field: $ => seq(
      field('name', $.identifier),
      ':',
      field('type', $._type),
      '=',
      field('value', $._expression),
    ),

    input_item: $ => seq(
      'input',
      field('name', $.identifier),
      optional(field('parameters', $.parameters)),
    ),

    effect_item: $ => seq(
      'effect',
      field('name', $.identifier),
      optional(field('parameters', $.parameters)),
    ),

    parameters: $ => seq('(', commaList($.parameter), ')'),

    parameter: $ => seq(
      field('name', choice($.identifier, alias($.phase, $.identifier))),
      ':',
      field('type', $._type),
    ),

    _type: $ => choice(alias($.identifier, $.type_identifier), $.generic_type),

    generic_type: $ => seq(
      field('name', alias($.identifier, $.type_identifier)),
      '<',
      sep1(field('argument', $._type), ','),
      '>',
    ),

    guards_item: $ => seq('guards', braced($.guard_definition)),

    guard_definition: $ => seq(
      field('name', $.identifier),
      optional(field('parameters', $.parameters)),
      ':',
      field('condition', $._expression),
    ),

    action_item: $ => seq(
      'action',
      field('name', $.identifier),
      optional(field('parameters', $.parameters)),
      field('body', $.block),
    ),

    derive_item: $ => seq(
      'derive',
      field('name', $.identifier),
      ':',
      field('type', $._type),
      '=',
      field('value', $._expression),
    ),

    transition_item: $ => seq(
      'transition',
      field('name', $.identifier),
      'on',
      field('input', $.identifier),
      'from',
      field('sources', $.sources),
      '->',
      field('target', choice($.identifier, $.stay)),
      repeat(field('guard', $.guard_clause)),
      optional(field('body', $.block)),
    ),

    stay: _ => 'stay',

    sources: $ => choice(
      seq($.wildcard, optional(seq('except', field('except', $.phase_list)))),
      $.phase_list,
    ),

    wildcard: _ => '*',

    guard_clause: $ => seq(
      'guard',
      field('name', $.identifier),
      optional(choice(
        seq(':', field('condition', $._expression)),
        field('arguments', $.arguments),
      )),
    ),

    ignore_item: $ => seq(
      'ignore',
      sep1(field('input', $.identifier), ','),
      'in',
      field('sources', $.sources),
    ),

    invariant_item: $ => seq(
      'invariant',
      choice(
        seq(field('modifier', $.always), field('name', $.identifier)),
        // An invariant may itself be called `always`.
        field('name', alias($.always, $.identifier)),
        field('name', $.identifier),
      ),
      ':',
      field('condition', $._expression),
    ),

    always: _ => 'always',

    verify_item: $ => seq('verify', '{', repeat(seq($._setting, optional(';'))), '}'),

    _setting: $ => choice(
      $.domain_setting,
      $.bound_setting,
      $.constraint_setting,
      $.reach_setting,
      $.always_possible_setting,
      $.allow_overflow_setting,
    ),

    domain_setting: $ => seq(
      'domain',
      field('target', choice($._type, $.parameter_path)),
      '=',
      field('values', choice($.range, $.list)),
    ),

    parameter_path: $ => seq(
      field('input', $.identifier),
      '.',
      field('parameter', $.identifier),
    ),

    range: $ => seq(
      field('start', $.integer),
      choice('..', '..='),
      field('end', $.integer),
    ),

    bound_setting: $ => seq(
      field('setting', choice('max_depth', 'max_states', 'max_collection')),
      field('value', $.integer),
    ),

    reach_setting: $ => seq(
      'reach',
      field('name', $.identifier),
      ':',
      field('condition', $._expression),
    ),

    constraint_setting: $ => seq(
      'bound',
      field('condition', $._expression),
    ),

    always_possible_setting: $ => seq(
      'always_possible',
      field('name', $.identifier),
      ':',
      field('condition', $._expression),
    ),

    allow_overflow_setting: $ => seq(
      'allow_overflow',
      sep1(field('transition', $.identifier), ','),
    ),

    impl_item: $ => seq(
      'impl',
      field('trait', $.identifier),
      braced($.impl_method),
    ),

    impl_method: $ => seq(
      'fn',
      field('name', $.method_name),
      optional(field('parameters', $.method_parameters)),
      '=',
      field('binding', $._binding),
    ),

    // A Rust method may be named like any keyword.
    method_name: $ => choice(
      $.identifier,
      ...KEYWORDS.map(k => alias(NAMED_KEYWORDS.includes(k) ? $[k] : k, $.identifier)),
    ),

    method_parameters: $ => seq(
      '(',
      commaList(choice($.identifier, alias($.phase, $.identifier))),
      ')',
    ),

    _binding: $ => choice(
      $.input_binding,
      $.snapshot_binding,
      alias($.phase, $.phase_binding),
      $.field_binding,
      $.derive_binding,
    ),

    input_binding: $ => seq(
      field('input', choice(
        $.identifier,
        // `field` with no name after it is an input called `field`.
        alias('field', $.identifier),
      )),
      optional(seq('(', commaList(field('argument', $.argument_path)), ')')),
    ),

    argument_path: $ => sep1(choice($.identifier, alias($.phase, $.identifier)), '.'),

    snapshot_binding: _ => 'snapshot',

    field_binding: $ => seq('field', field('field', $.identifier)),

    derive_binding: $ => seq('derive', field('derive', $.identifier)),

    // --- statements

    block: $ => seq('{', repeat(seq($._statement, optional(';'))), '}'),

    _statement: $ => choice(
      $.assignment,
      $.call_statement,
      $.emit_statement,
      $.do_statement,
      $.if_statement,
    ),

    assignment: $ => seq(
      field('left', $.identifier),
      field('operator', choice('=', '+=', '-=')),
      field('right', $._expression),
    ),

    call_statement: $ => seq(
      field('receiver', $.identifier),
      '.',
      field('method', $.identifier),
      field('arguments', $.arguments),
    ),

    emit_statement: $ => seq(
      'emit',
      field('effect', $.identifier),
      optional(field('arguments', $.emit_arguments)),
    ),

    emit_arguments: $ => seq('(', commaList(choice($.named_argument, $._expression)), ')'),

    named_argument: $ => seq(
      field('name', choice($.identifier, alias($.phase, $.identifier))),
      ':',
      field('value', $._expression),
    ),

    do_statement: $ => seq(
      'do',
      field('action', $.identifier),
      optional(field('arguments', $.arguments)),
    ),

    if_statement: $ => seq(
      'if',
      field('condition', $._expression),
      field('consequence', $.block),
      optional(seq('else', field('alternative', choice($.block, $.if_statement)))),
    ),

    // --- expressions

    _expression: $ => choice(
      $.binary_expression,
      $.unary_expression,
      $.method_call,
      $.quantifier,
      $.parenthesized_expression,
      $.list,
      $.some_expression,
      $.scoped_identifier,
      $.identifier,
      $.phase,
      $.target,
      $.none,
      $.boolean,
      $.integer,
      $.string,
    ),

    binary_expression: $ => {
      const table = [
        [PREC.or, '||'],
        [PREC.and, '&&'],
        [PREC.comparison, choice('==', '!=', '<', '<=', '>', '>=', 'in')],
        [PREC.additive, choice('+', '-')],
        [PREC.multiplicative, choice('*', '/', '%')],
      ];
      return choice(...table.map(([precedence, operator]) => prec.left(
        /** @type {number} */ (precedence),
        seq(
          field('left', $._expression),
          // @ts-ignore
          field('operator', operator),
          field('right', $._expression),
        ),
      )));
    },

    unary_expression: $ => prec(PREC.unary, seq(
      field('operator', choice('!', '-')),
      field('operand', $._expression),
    )),

    method_call: $ => prec(PREC.method, seq(
      field('receiver', $._expression),
      '.',
      field('method', $.identifier),
      field('arguments', $.arguments),
    )),

    arguments: $ => seq('(', commaList($._expression), ')'),

    // The body extends as far as possible.
    quantifier: $ => prec.right(PREC.quantifier, seq(
      field('quantifier', choice('all', 'any')),
      field('variable', $.identifier),
      'in',
      field('collection', $._expression),
      ':',
      field('body', $._expression),
    )),

    parenthesized_expression: $ => seq('(', $._expression, ')'),

    list: $ => seq('[', commaList($._expression), ']'),

    some_expression: $ => seq('some', '(', field('value', $._expression), ')'),

    scoped_identifier: $ => seq(
      field('path', $.identifier),
      '::',
      field('name', $.identifier),
    ),

    phase: _ => 'phase',

    target: _ => 'target',

    none: _ => 'none',

    boolean: _ => choice('true', 'false'),

    integer: _ => /[0-9][0-9A-Za-z_]*/,

    string: $ => seq(
      '"',
      repeat(choice($.string_content, $.escape_sequence)),
      token.immediate('"'),
    ),

    string_content: _ => token.immediate(prec(1, /[^"\\\n]+/)),

    escape_sequence: _ => token.immediate(/\\./),

    identifier: _ => /[A-Za-z_][A-Za-z0-9_]*/,

    // `//` to the end of the line, `////` included.
    comment: _ => token(choice(
      '//',
      seq('//', /[^/\n][^\n]*/),
      seq('////', /[^\n]*/),
    )),

    // `///` to the end of the line: documents the item that follows.
    doc_comment: _ => token(seq('///', /([^/\n][^\n]*)?/)),
  },
});
