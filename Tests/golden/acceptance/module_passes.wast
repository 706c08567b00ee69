;; test opt -O2
;; Module passes at -O2: call_indirect through a constant slot of a table nothing writes becomes a
;; direct call (then inlined); through a table that is exported, or with a mismatched type, it
;; stays. Two identical helpers become one; the unused copy is deleted, and the functions after
;; it are renumbered (the exports still name the right ones).
(module
  (type $unary (func (param i32) (result i32)))
  (type $binary (func (param i32 i32) (result i32)))
  (table $fixed 4 funcref)
  (elem (table $fixed) (i32.const 1) func $double $triple)
  (table $shared (export "shared") 2 funcref)
  (elem (table $shared) (i32.const 0) func $double)

  (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))

  (func $fixed_slot (export "fixed_slot") (param i32) (result i32)
    (call_indirect $fixed (type $unary) (local.get 0) (i32.const 2)))
  (func $shared_slot (export "shared_slot") (param i32) (result i32)
    (call_indirect $shared (type $unary) (local.get 0) (i32.const 0)))
  (func $wrong_type (export "wrong_type") (param i32) (result i32)
    (call_indirect $fixed (type $binary) (local.get 0) (local.get 0) (i32.const 1)))
  (func $null_slot (export "null_slot") (param i32) (result i32)
    (call_indirect $fixed (type $unary) (local.get 0) (i32.const 0)))

  ;; Identical bodies, each called from two places (too large to count as tiny).
  (func $checksum_a (param $p i32) (param $n i32) (result i32)
    (local $h i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
  (func $checksum_b (param $p i32) (param $n i32) (result i32)
    (local $h i32)
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $h (i32.add (i32.mul (local.get $h) (i32.const 31)) (i32.load8_u (local.get $p))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
  (memory 1)
  (data (i32.const 0) "lathe shapes code")
  (func $sums (export "sums") (result i32)
    (i32.add
      (i32.add (call $checksum_a (i32.const 0) (i32.const 5)) (call $checksum_a (i32.const 6) (i32.const 6)))
      (i32.add (call $checksum_b (i32.const 0) (i32.const 17)) (call $checksum_b (i32.const 2) (i32.const 3))))))

(assert_return (invoke "fixed_slot" (i32.const 7)) (i32.const 21))
(assert_return (invoke "shared_slot" (i32.const 7)) (i32.const 14))
(assert_trap (invoke "wrong_type" (i32.const 7)) "indirect call type mismatch")
(assert_trap (invoke "null_slot" (i32.const 7)) "uninitialized element")
(assert_return (invoke "sums") (i32.const 1068047997))

;; CHECK: (func $fixed_slot (
;; NOT: call
;; CHECK: (func $shared_slot (
;; CHECK: call_indirect
;; CHECK: (func $wrong_type (
;; CHECK: call_indirect
;; CHECK: (func $null_slot (
;; CHECK: call_indirect
;; NOT: $checksum_b
;; CHECK: (func $sums (
;; CHECK: call $checksum_a
;; NOT: call $checksum_b
