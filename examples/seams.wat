;; A small module with the seams a wasm-emitting compiler leaves behind: two i32 packed into an
;; i64 across a call, a tiny mixer called in a loop, a clamp lowered as branches.
(module $seams
  (import "env" "log" (func $log (param i32)))
  (memory $mem 1 16)
  (global $calls (mut i32) (i32.const 0))
  (table $fns 2 funcref)
  (elem (table $fns) (i32.const 0) func $mix $clamp)

  ;; Returns (lo, hi) packed into one i64.
  (func $pack (param $lo i32) (param $hi i32) (result i64)
    local.get $hi
    i64.extend_i32_u
    i64.const 32
    i64.shl
    local.get $lo
    i64.extend_i32_u
    i64.or)

  ;; A tiny hash mixer.
  (func $mix (param $x i32) (result i32)
    global.get $calls
    i32.const 1
    i32.add
    global.set $calls
    local.get $x
    i32.const 0x9e3779b1
    i32.mul
    local.get $x
    i32.const 15
    i32.shr_u
    i32.xor)

  ;; clamp(v, 0, 255) written with branches.
  (func $clamp (param $v i32) (result i32)
    block $done (result i32)
      local.get $v
      i32.const 0
      i32.lt_s
      if
        i32.const 0
        br $done
      end
      local.get $v
      i32.const 255
      i32.gt_s
      if
        i32.const 255
        br $done
      end
      local.get $v
    end)

  ;; Sums mix(i) for i < n, unpacking a packed pair each round and clamping into memory.
  (func $run (export "run") (param $n i32) (result i32)
    (local $i i32) (local $acc i32) (local $p i64)
    block $exit
      loop $next
        local.get $i
        local.get $n
        i32.ge_u
        br_if $exit
        local.get $i
        call $mix
        local.get $i
        call $pack
        local.set $p
        local.get $p
        i32.wrap_i64
        local.get $p
        i64.const 32
        i64.shr_u
        i32.wrap_i64
        i32.add
        local.get $acc
        i32.add
        local.set $acc
        local.get $i
        local.get $acc
        call $clamp
        i32.store8
        local.get $i
        i32.const 1
        i32.add
        local.set $i
        br $next
      end
    end
    local.get $acc
    call $log
    local.get $acc)

  (data (i32.const 1024) "lathe\00")
)
