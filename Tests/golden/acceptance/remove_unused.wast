;; test opt --passes remove-unused,dce
;; A loop counter mirrored into a global nothing reads: the global and its sets go, and the
;; globals after it are renumbered (reads and the export still name the right ones). A global
;; written and exported stays, and so does one only read. Functions
;; nothing reaches go, a pair calling each other included; passive element segments nothing uses
;; go, the one `table.init` uses stays.
(module
  (global $mirror (mut i32) (i32.const 0))
  (global $calls (export "calls") (mut i32) (i32.const 0))
  (global $helper_state (mut i64) (i64.const 0))
  (global $step (mut i32) (i32.const 2))
  (table $t 4 funcref)
  (memory 1)
  (elem $unused_passive func $double)
  (elem $active (table $t) (i32.const 0) func $triple)
  (elem $used_passive func $triple)

  (func $double (param i32) (result i32) (i32.add (local.get 0) (local.get 0)))
  (func $triple (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))

  ;; Unreachable: they only call each other.
  (func $ping (param i32) (result i32)
    (global.set $helper_state (i64.extend_i32_u (local.get 0)))
    (if (result i32) (local.get 0) (then (call $pong (i32.sub (local.get 0) (i32.const 1)))) (else (i32.const 0))))
  (func $pong (param i32) (result i32) (call $ping (local.get 0)))

  (func $sum_below (export "sum_below") (param $n i32) (result i32)
    (local $i i32) (local $sum i32)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (block $done
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (loop $next
        (global.set $mirror (local.get $i))
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (global.get $step)))
        (br_if $next (i32.lt_s (local.get $i) (local.get $n)))))
    (local.get $sum))

  (func $call_slot (export "call_slot") (param i32) (result i32)
    (table.init $t $used_passive (i32.const 1) (i32.const 0) (i32.const 1))
    (call_indirect $t (param i32) (result i32) (local.get 0) (i32.const 1))))

(assert_return (invoke "sum_below" (i32.const 0)) (i32.const 0))
(assert_return (invoke "sum_below" (i32.const 10)) (i32.const 20))
(assert_return (invoke "sum_below" (i32.const 11)) (i32.const 30))
(assert_return (invoke "call_slot" (i32.const 7)) (i32.const 21))

;; NOT: $mirror
;; CHECK: (global $calls
;; NOT: $helper_state
;; CHECK: (global $step
;; NOT: $unused_passive
;; CHECK: (elem $active
;; CHECK: (elem $used_passive
;; NOT: $ping
;; NOT: $pong
;; CHECK: (func $sum_below
;; CHECK: global.set $calls
;; NOT: $mirror
;; CHECK: global.get $step
;; CHECK: (func $call_slot
;; CHECK: table.init $used_passive
