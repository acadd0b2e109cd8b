[
  (machine)
  (variant_list)
  (state_item)
  (guards_item)
  (verify_item)
  (impl_item)
  (block)
  (parameters)
  (arguments)
  (emit_arguments)
  (list)
] @indent.begin

[
  "}"
  ")"
  "]"
] @indent.branch @indent.end

(comment) @indent.auto
