;; test opt -O2
;; A helper returns {action: i32, new_count: i32} packed into an i64 (with an early return), and
;; its only caller unpacks it. After -O2 the helper is inlined and removed, and the packed value
;; flows as two i32 values: no i64 operation or local is left in the caller, and the helper is
;; deleted from the module.
(module
  (func $decide (param $input i32) (param $count i32) (result i64)
    (if (i32.gt_s (local.get $count) (i32.const 100))
      (then (return (i64.const 0))))
    (i64.or
      (i64.extend_i32_u (i32.gt_s (local.get $input) (i32.const 10)))
      (i64.shl (i64.extend_i32_u (i32.add (local.get $count) (i32.const 1))) (i64.const 32))))

  (func $step (export "step") (param $input i32) (param $count i32) (result i32)
    (local $decision i64)
    (local.set $decision (call $decide (local.get $input) (local.get $count)))
    (i32.add
      (i32.mul (i32.wrap_i64 (local.get $decision)) (i32.const 1000))
      (i32.wrap_i64 (i64.shr_u (local.get $decision) (i64.const 32))))))

(assert_return (invoke "step" (i32.const 5) (i32.const 7)) (i32.const 8))
(assert_return (invoke "step" (i32.const 50) (i32.const 7)) (i32.const 1008))
(assert_return (invoke "step" (i32.const 50) (i32.const 101)) (i32.const 0))
(assert_return (invoke "step" (i32.const -1) (i32.const -1)) (i32.const 0))
(assert_return (invoke "step" (i32.const 11) (i32.const 100)) (i32.const 1101))

;; NOT: $decide
;; CHECK: (func $step (
;; NOT: call
;; NOT: i64
