;; test opt -O2
;; An i32 loop counter is mirrored into an f64 local that nothing reads: after -O2 the f64 writes
;; (and the f64 local) are gone.
(module
  (func $sum_below (export "sum_below") (param $n i32) (result i32)
    (local $i i32) (local $mirror f64) (local $sum i32)
    (block $done
      (br_if $done (i32.le_s (local.get $n) (i32.const 0)))
      (loop $next
        (local.set $mirror (f64.add (local.get $mirror) (f64.const 1)))
        (local.set $sum (i32.add (local.get $sum) (local.get $i)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_s (local.get $i) (local.get $n)))))
    (local.get $sum)))

(assert_return (invoke "sum_below" (i32.const 0)) (i32.const 0))
(assert_return (invoke "sum_below" (i32.const 1)) (i32.const 0))
(assert_return (invoke "sum_below" (i32.const 10)) (i32.const 45))
(assert_return (invoke "sum_below" (i32.const -5)) (i32.const 0))

;; CHECK: (func $sum_below (
;; NOT: f64
;; NOT: $mirror
