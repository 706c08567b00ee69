;; test opt -O2
;; The lowerer's size cost model for constants. A constant whose encoding times its reads is bigger
;; than one definition, a `local.set` and a `local.get` per read is computed once into a local:
;; the f64 constant (9 bytes) read three times and the i32 constant 0x5bd1e995 (6 bytes) read three
;; times appear once each. The i32 constant 1000 (3 bytes, read twice) is rematerialized at each use.
(module
  (memory 1)
  (func $poly (export "poly") (param $x f64) (result f64)
    (f64.add
      (f64.mul (f64.add (local.get $x) (f64.const 2.5)) (f64.const 2.5))
      (f64.mul (local.get $x) (f64.const 2.5))))
  (func $mix (export "mix") (param $a i32) (param $b i32) (result i32)
    (i32.store (i32.const 0) (i32.xor (local.get $a) (i32.const 0x5bd1e995)))
    (i32.store (i32.const 4) (i32.xor (local.get $b) (i32.const 0x5bd1e995)))
    (i32.add (i32.add (i32.load (i32.const 0)) (i32.load (i32.const 4)))
      (i32.mul (local.get $a) (i32.const 0x5bd1e995))))
  (func $small (export "small") (param $a i32) (result i32)
    (i32.add (i32.mul (local.get $a) (i32.const 1000)) (i32.add (local.get $a) (i32.const 1000)))))

(assert_return (invoke "poly" (f64.const 1.5)) (f64.const 13.75))
(assert_return (invoke "poly" (f64.const -2.5)) (f64.const -6.25))
(assert_return (invoke "mix" (i32.const 1) (i32.const 2)) (i32.const 326483136))
(assert_return (invoke "mix" (i32.const -7) (i32.const 123456)) (i32.const 2101395246))
(assert_return (invoke "small" (i32.const 3)) (i32.const 4003))
(assert_return (invoke "small" (i32.const -1)) (i32.const -1))

;; CHECK: (func $poly
;; CHECK: f64.const 0x1.4p+1
;; CHECK: local.tee 1
;; NOT: f64.const
;; CHECK: (func $mix
;; CHECK: i32.const 1540483477
;; CHECK: local.tee 2
;; NOT: i32.const 1540483477
;; CHECK: (func $small
;; CHECK: i32.const 1000
;; CHECK: i32.const 1000
