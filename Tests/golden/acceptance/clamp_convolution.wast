;; test opt -O2
;; A clamp helper lowered as branches is called for every pixel of a 5x5 convolution: after -O2 the
;; clamp is neither a call nor a branch; it is selects.
(module
  (memory 1)
  (func $clamp (param $x i32) (param $lo i32) (param $hi i32) (result i32)
    (if (i32.lt_s (local.get $x) (local.get $lo)) (then (return (local.get $lo))))
    (if (i32.gt_s (local.get $x) (local.get $hi)) (then (return (local.get $hi))))
    (local.get $x))

  ;; Convolves a 64x64 8-bit image at 0 with a 5x5 kernel of i32 weights at 8192 into 16384.
  (func $convolve (export "convolve") (result i32)
    (local $x i32) (local $y i32) (local $kx i32) (local $ky i32) (local $sum i32) (local $total i32)
    (local.set $y (i32.const 2))
    (loop $rows
      (local.set $x (i32.const 2))
      (loop $columns
        (local.set $sum (i32.const 0))
        (local.set $ky (i32.const 0))
        (loop $kernel_rows
          (local.set $kx (i32.const 0))
          (loop $kernel_columns
            (local.set $sum (i32.add (local.get $sum)
              (i32.mul
                (i32.load8_u (i32.add
                  (i32.mul (i32.sub (i32.add (local.get $y) (local.get $ky)) (i32.const 2)) (i32.const 64))
                  (i32.sub (i32.add (local.get $x) (local.get $kx)) (i32.const 2))))
                (i32.load (i32.add (i32.const 8192)
                  (i32.shl (i32.add (i32.mul (local.get $ky) (i32.const 5)) (local.get $kx)) (i32.const 2)))))))
            (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
            (br_if $kernel_columns (i32.lt_u (local.get $kx) (i32.const 5))))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br_if $kernel_rows (i32.lt_u (local.get $ky) (i32.const 5))))
        (local.set $sum (call $clamp (i32.shr_s (local.get $sum) (i32.const 4)) (i32.const 0) (i32.const 255)))
        (i32.store8 (i32.add (i32.const 16384) (i32.add (i32.mul (local.get $y) (i32.const 64)) (local.get $x))) (local.get $sum))
        (local.set $total (i32.add (local.get $total) (local.get $sum)))
        (local.set $x (i32.add (local.get $x) (i32.const 1)))
        (br_if $columns (i32.lt_u (local.get $x) (i32.const 62))))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br_if $rows (i32.lt_u (local.get $y) (i32.const 62))))
    (local.get $total))

  ;; Fills the image and the kernel (some negative weights, so sums fall below 0 and above 255).
  (func $setup (export "setup")
    (local $i i32)
    (loop $pixels
      (i32.store8 (local.get $i) (i32.and (i32.mul (local.get $i) (i32.const 37)) (i32.const 255)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $pixels (i32.lt_u (local.get $i) (i32.const 4096))))
    (local.set $i (i32.const 0))
    (loop $weights
      (i32.store (i32.add (i32.const 8192) (i32.shl (local.get $i) (i32.const 2)))
        (i32.sub (i32.rem_u (i32.mul (local.get $i) (i32.const 7)) (i32.const 11)) (i32.const 4)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $weights (i32.lt_u (local.get $i) (i32.const 25))))))

(assert_return (invoke "setup"))
(assert_return (invoke "convolve") (i32.const 574365))

;; CHECK: (func $convolve (
;; NOT: call
;; NOT:  if
;; CHECK: select
;; NOT: call
;; NOT:  if
;; CHECK: select
;; NOT: call
;; NOT:  if
;; CHECK: (func $setup (
