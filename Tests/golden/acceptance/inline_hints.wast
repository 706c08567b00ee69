;; test opt -O2
;; hint metadata.code.inline $mix 127
;; A mixer too large for the size rules but hinted always-inline (metadata.code.inline, function
;; level) is called twice from a poll loop, and a small state-transition helper is called twice:
;; after -O2 no call to either remains.
(module
  (memory 1)
  (func $mix (param $h i32) (param $v i32) (result i32)
    (local.set $h (i32.xor (local.get $h) (local.get $v)))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x85ebca6b)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 13))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0xc2b2ae35)))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 16))))
    (local.set $h (i32.rotl (local.get $h) (i32.const 7)))
    (local.set $h (i32.add (local.get $h) (i32.mul (local.get $v) (i32.const 0x27d4eb2d))))
    (local.set $h (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 15))))
    (local.set $h (i32.mul (local.get $h) (i32.const 0x165667b1)))
    (i32.xor (local.get $h) (i32.shr_u (local.get $h) (i32.const 11))))

  (func $transition (param $state i32) (param $event i32) (result i32)
    (if (result i32) (i32.eq (local.get $event) (i32.const 0))
      (then (i32.const 0))
      (else (i32.add (local.get $state) (i32.and (local.get $event) (i32.const 3))))))

  (func $poll (export "poll") (param $n i32) (result i32)
    (local $i i32) (local $h i32) (local $state i32)
    (loop $next
      (local.set $h (call $mix (local.get $h) (i32.load (i32.and (i32.mul (local.get $i) (i32.const 4)) (i32.const 0xfff)))))
      (local.set $state (call $transition (local.get $state) (i32.and (local.get $h) (i32.const 7))))
      (local.set $h (call $mix (local.get $h) (local.get $state)))
      (local.set $state (call $transition (local.get $state) (i32.shr_u (local.get $h) (i32.const 29))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
    (i32.add (local.get $h) (local.get $state))))

(assert_return (invoke "poll" (i32.const 1)) (i32.const 0))
(assert_return (invoke "poll" (i32.const 10)) (i32.const 0))

;; CHECK: (func $poll (
;; NOT: call
