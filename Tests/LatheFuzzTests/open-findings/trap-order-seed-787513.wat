;; fuzz -O2
(module
  (type (;0;) (func (param f64) (result v128 f32)))
  (type (;1;) (func (param f64 v128) (result i32 v128 v128)))
  (type (;2;) (func (param v128 i32 i64)))
  (table (;0;) 4 4 funcref)
  (memory (;0;) 1 1)
  (global (;0;) (mut f64) f64.const 0x1p+31 (;=2147483648;))
  (global (;1;) (mut f64) f64.const 0x1.2cebd06a12243p+957 (;=1431919476907253500000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;))
  (global (;2;) (mut i32) i32.const 65532)
  (export "f0" (func 0))
  (export "memory" (memory 0))
  (export "g0" (global 0))
  (export "g1" (global 1))
  (export "g2" (global 2))
  (elem (;0;) (i32.const 0) funcref (ref.func 0) (ref.func 1) (ref.func 2) (ref.null func))
  (func (;0;) (type 0) (param f64) (result v128 f32)
    (local i64 f32 f32 i32 i32 f32 f64 f64 f32 f32)
    v128.const i32x4 0x95c6f495 0x186cd5b2 0x726c8e9f 0xf313e840
    i32x4.extract_lane 2
    if (result f64) ;; label = @1
      f32.const 0x0p+0 (;=0;)
      block (result f64) ;; label = @2
        f64.const 0x0p+0 (;=0;)
        i32.const 1
        local.set 4
        block (result i64) ;; label = @3
          loop (result i64) ;; label = @4
            block (result f32) ;; label = @5
              block (result f64) ;; label = @6
                i32.const 1
                local.set 5
                block (result i64) ;; label = @7
                  loop (result i64) ;; label = @8
                    local.get 5
                    i32.eqz
                    if ;; label = @9
                      i64.const 0
                      br 2 (;@7;)
                    end
                    i32.const 0
                    i32.const 1
                    i32.sub
                    local.set 5
                    block (result f32) ;; label = @9
                      i32.const 0
                      i32.const 65535
                      f32.load
                      i32.reinterpret_f32
                      f64.const 0x0p+0 (;=0;)
                      block (result i32) ;; label = @10
                        local.get 0
                        i32.trunc_f64_u
                        f64.load offset=3 align=2
                        f64.const 0x0p+0 (;=0;)
                        f64.eq
                        f64.convert_i32_s
                        local.set 0
                        i32.const 0
                      end
                      if (result i32) ;; label = @10
                        i32.const 0
                      else
                        local.get 4
                      end
                      if (result f64) ;; label = @10
                        local.get 0
                      else
                        f64.const 0x0p+0 (;=0;)
                      end
                      f64.lt
                      select
                      if (result f64) ;; label = @10
                        local.get 0
                      else
                        f64.const 0x0p+0 (;=0;)
                      end
                      local.set 0
                      f32.const 0x1.97ef24p+36 (;=109503990000;)
                    end
                    f32.const 0x0p+0 (;=0;)
                    f32.ge
                    br_if 0 (;@8;)
                    i64.const 0
                  end
                end
                i64.const 0
                i64.ne
                if ;; label = @7
                end
                f64.const 0x0p+0 (;=0;)
              end
              f64.const 0x0p+0 (;=0;)
              f64.ne
              i64.load16_u offset=4 align=1
              i64.const 0
              i64.ne
              v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
              v128.store offset=65536
              f32.const 0x0p+0 (;=0;)
            end
            drop
            i64.const 0
          end
        end
        f64.reinterpret_i64
        f64.lt
        f32.convert_i32_u
        local.set 3
        f32.const 0x0p+0 (;=0;)
        local.set 2
        f64.const 0x0p+0 (;=0;)
      end
      i64.trunc_sat_f64_u
      f32.convert_i64_u
      f32.lt
      f64.convert_i32_u
    else
      f64.const 0x0p+0 (;=0;)
    end
    i64.trunc_f64_s
    i64.const 0
    i64.le_s
    f64.const 0x0p+0 (;=0;)
    f64.store align=2
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    f32.const 0x0p+0 (;=0;)
  )
  (func (;1;) (type 1) (param f64 v128) (result i32 v128 v128)
    (local v128 v128 v128 i32 f64 v128)
    i32.const 0
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
  )
  (func (;2;) (type 2) (param v128 i32 i64)
    (local i32 f32 f64 i32 f32)
  )
  (data (;0;) (i32.const 65520) "\17\fa")
  (data (;1;) (i32.const 65520) "^\a7")
  (data (;2;) (i32.const 64) "o\7fP9'\b0\11")
)
