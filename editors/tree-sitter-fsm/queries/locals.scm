; Scopes: the machine (items may be used before they are defined), and
; the parameters of an action, a guard or a quantifier.

(machine) @local.scope
(action_item) @local.scope
(guard_definition) @local.scope
(transition_item) @local.scope
(quantifier) @local.scope

(state_field name: (identifier) @local.definition.field)
(const_item name: (identifier) @local.definition.constant)
(derive_item name: (identifier) @local.definition.field)
(key_item name: (identifier) @local.definition.field)
(parameter name: (identifier) @local.definition.parameter)
(quantifier variable: (identifier) @local.definition.var)
(variant name: (identifier) @local.definition.enum)
(phase_set_item name: (identifier) @local.definition.type)
(enum_item name: (identifier) @local.definition.type)
(extern_item name: (identifier) @local.definition.type)
(input_item name: (identifier) @local.definition.type)
(effect_item name: (identifier) @local.definition.type)
(action_item name: (identifier) @local.definition.function)
(guard_definition name: (identifier) @local.definition.function)

(identifier) @local.reference
