; Highlights for .fsm specs.

; Later patterns take precedence over earlier ones, so the general
; patterns come first. Names read in expressions: fields, derived values,
; parameters; upper-case ones are variants, phases or constants.
(identifier) @variable

((identifier) @constant
  (#match? @constant "^[A-Z]"))

(comment) @comment
(doc_comment) @comment.documentation

[
  "machine"
  "key"
  "extern"
  "enum"
  "phases"
  "initial"
  "terminal"
  "const"
  "state"
  "input"
  "effect"
  "guards"
  "derive"
  "ignore"
  "invariant"
  "verify"
  "impl"
] @keyword

[
  "action"
  "transition"
  "fn"
] @keyword.function

[
  "guard"
  "on"
  "from"
  "except"
  "emit"
  "do"
  "field"
  "domain"
  "max_depth"
  "max_states"
  "max_collection"
  "reach"
  "always_possible"
  "bound"
  "allow_overflow"
] @keyword

(stay) @keyword
(always) @keyword.modifier

[
  "if"
  "else"
] @keyword.conditional

[
  "all"
  "any"
] @keyword.repeat

"in" @keyword.operator

[
  "="
  "+="
  "-="
  "=="
  "!="
  "<"
  "<="
  ">"
  ">="
  "+"
  "-"
  "*"
  "/"
  "%"
  "!"
  "&&"
  "||"
  "->"
  "|"
  ".."
  "..="
] @operator

(wildcard) @operator

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
] @punctuation.bracket

[
  ","
  ";"
  ":"
  "."
  "::"
] @punctuation.delimiter

; Literals

(integer) @number
(string) @string
(escape_sequence) @string.escape
(boolean) @boolean
(none) @constant.builtin
"some" @function.builtin

(phase) @variable.builtin
(target) @variable.builtin
(phase_binding) @variable.builtin
(snapshot_binding) @variable.builtin

; Types

(type_identifier) @type
((type_identifier) @type.builtin
  (#match? @type.builtin "^(bool|u8|u16|u32|u64|i8|i16|i32|i64|String|Option|Set|Map|List|Phase)$"))

(machine name: (identifier) @type)
(enum_item name: (identifier) @type)
(extern_item name: (identifier) @type)
(rust_path (identifier) @module)
(impl_item trait: (identifier) @type)
(phase_set_item name: (identifier) @type)
(variant name: (identifier) @constant)
(phase_list (identifier) @constant)
(initial_item phase: (identifier) @constant)
(terminal_item phase: (identifier) @constant)
(transition_item target: (identifier) @constant)
(scoped_identifier path: (identifier) @type)
(scoped_identifier name: (identifier) @constant)

; Inputs and effects

(input_item name: (identifier) @type)
(effect_item name: (identifier) @type)
(transition_item input: (identifier) @type)
(ignore_item input: (identifier) @type)
(emit_statement effect: (identifier) @type)
(input_binding input: (identifier) @type)
(parameter_path input: (identifier) @type)

; Definitions and references

(const_item name: (identifier) @constant)
(parameter name: (identifier) @variable.parameter)
(method_parameters (identifier) @variable.parameter)
(state_field name: (identifier) @property)
(field_binding field: (identifier) @property)
(derive_binding derive: (identifier) @property)
(derive_item name: (identifier) @property)
(key_item name: (identifier) @property)
(named_argument name: (identifier) @variable.parameter)
(parameter_path parameter: (identifier) @variable.parameter)

(guard_definition name: (identifier) @function)
(guard_clause name: (identifier) @function)
(action_item name: (identifier) @function)
(do_statement action: (identifier) @function)
(transition_item name: (identifier) @function)
(invariant_item name: (identifier) @function)
(reach_setting name: (identifier) @function)
(always_possible_setting name: (identifier) @function)
(allow_overflow_setting transition: (identifier) @function)
(method_name (identifier) @function.method)
(method_call method: (identifier) @function.method.call)
(call_statement method: (identifier) @function.method.call)

(quantifier variable: (identifier) @variable)

