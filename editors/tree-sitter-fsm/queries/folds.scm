[
  (machine)
  (variant_list)
  (state_item)
  (guards_item)
  (verify_item)
  (impl_item)
  (block)
  (parameters)
] @fold
