;; fuzz -O2
(module
  (type (;0;) (func (result i32 v128)))
  (type (;1;) (func (param f32) (result v128)))
  (type (;2;) (func (result i32)))
  (type (;3;) (func))
  (table (;0;) 5 5 funcref)
  (memory (;0;) 1 1)
  (global (;0;) (mut f32) f32.const 0x1.b3ebfep-92 (;=0.0000000000000000000000000003438817;))
  (export "f3" (func 3))
  (export "memory" (memory 0))
  (export "g0" (global 0))
  (elem (;0;) (i32.const 0) funcref (ref.func 0) (ref.func 1) (ref.func 2) (ref.func 3) (ref.null func))
  (func (;0;) (type 0) (result i32 v128)
    (local i32 f32 f64 f32 i32 f32 i64 i32 f32 f64)
    i32.const 0
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
  )
  (func (;1;) (type 1) (param f32) (result v128)
    (local i32 v128 i32 i32 i32 i32 i32 f64)
    v128.const i32x4 0x00000000 0x00000000 0x00000000 0x00000000
  )
  (func (;2;) (type 2) (result i32)
    (local i32 i64 f32 f32 i32 i32)
    i32.const 0
  )
  (func (;3;) (type 3)
    (local f64 i32 i32 f32 f32 f32 f64 f64)
    i32.const -1430040391
    i32.const 65535
    i32.and
    f64.load offset=100 align=2
    local.get 0
    f64.neg
    local.get 0
    f64.neg
    f64.add
    i32.const -1
    i32.extend8_s
    f64.convert_i32_s
    f64.gt
    i32.const 65535
    i32.and
    f64.load offset=8 align=1
    f64.sub
    i32.const 3
    local.set 1
    block (result f64) ;; label = @1
      loop (result f64) ;; label = @2
        local.get 1
        i32.eqz
        if ;; label = @3
          f64.const nan (;=NaN;)
          br 2 (;@1;)
        end
        local.get 1
        i32.const 1
        i32.sub
        local.set 1
        i32.const 1
        local.set 2
        block ;; label = @3
          loop ;; label = @4
            local.get 2
            i32.eqz
            if ;; label = @5
              br 2 (;@3;)
            end
            local.get 2
            i32.const 1
            i32.sub
            local.set 2
            f64.const nan (;=NaN;)
            i32.const 7
            i32.load offset=3
            i32.const 128
            i32.const 965569386
            i32.const 255
            i32.and
            i32.load16_s offset=8
            block (result i32) ;; label = @5
              f32.const nan (;=NaN;)
              i64.const 13
              i64.const -3659999415703220490
              i64.const -14
              global.get 0
              i32.trunc_f32_s
              i32.const 65528
              i32.and
              f64.load offset=65536
              i64.reinterpret_f64
              i64.and
              i64.gt_u
              f32.const nan (;=NaN;)
              i64.const -3
              i64.popcnt
              i64.const -1043810282672293977
              i64.and
              f32.convert_i64_u
              f32.const -0x0p+0 (;=-0;)
              f32.const 0x1p+31 (;=2147483600;)
              f32.const -0x1.c4235ep+66 (;=-130319950000000000000;)
              i32.trunc_f32_u
              f32.const -0x1.9bc184p-19 (;=-0.0000030678207;)
              f32.const nan (;=NaN;)
              f32.ge
              i32.ne
              i32.const -2
              i32.div_s
              f32.convert_i32_u
              f32.add
              f32.const 0x1p+0 (;=1;)
              f32.lt
              select
              f32.const nan:0x412345 (;=NaN;)
              f32.max
              local.tee 3
              local.get 3
              local.get 3
              f32.ne
              select
              i32.reinterpret_f32
              i32.div_s
              i32.const 65535
              i32.eq
              i64.extend_i32_s
              i64.lt_s
              if (result i64) ;; label = @6
                i64.const 9223372036854775807
              else
                i64.const 0
              end
              i64.clz
              i64.const 64
              i64.div_u
              i64.const -8250706703053049806
              i64.lt_u
              i32.const 1357854126
              i32.ne
              local.get 2
              i32.eq
              if (result f32) ;; label = @6
                local.get 3
              else
                f32.const 0x0p+0 (;=0;)
              end
              f32.ceil
              f32.const 0x1p+0 (;=1;)
              f32.add
              local.tee 4
              local.get 4
              local.get 4
              f32.ne
              select
              global.set 0
              local.get 1
            end
            local.get 3
            f32.const 0x1.fffffep+127 (;=340282350000000000000000000000000000000;)
            f32.ge
            select
            f32.convert_i32_s
            f32.abs
            f32.abs
            local.get 4
            local.get 1
            select
            local.get 4
            f32.min
            f32.abs
            f32.const 0x1p+3 (;=8;)
            f32.lt
            if (result f64) ;; label = @5
              f64.const nan:0x8000000123456 (;=NaN;)
            else
              local.get 0
            end
            i32.trunc_f64_u
            i32.const 2
            i32.gt_s
            if (result i32) ;; label = @5
              i32.const -20
            else
              i32.const 128
            end
            f32.convert_i32_u
            f32.floor
            f32.const nan (;=NaN;)
            local.get 4
            local.tee 5
            local.get 5
            local.get 5
            f32.ne
            select
            f32.copysign
            f32.const 0x1.cea2aap+85 (;=69911486000000000000000000;)
            f32.eq
            select
            i32.const 1023
            i32.and
            i64.load32_s offset=65536
            i64.const 10
            i64.gt_s
            f64.convert_i32_s
            f64.const nan (;=NaN;)
            local.get 0
            local.tee 6
            local.get 6
            local.get 6
            f64.ne
            select
            f64.copysign
            local.tee 7
            local.get 7
            local.get 7
            f64.ne
            select
            local.tee 0
            drop
            local.get 1
            br_if 0 (;@4;)
          end
        end
        local.get 2
        br_if 0 (;@2;)
        f64.const nan:0x4000000000001 (;=NaN;)
      end
    end
    f64.nearest
    f64.div
    local.set 0
    local.get 0
    f64.const 0x1p+63 (;=9223372036854776000;)
    f64.lt
    if (result f64) ;; label = @1
      f64.const 0x1p+63 (;=9223372036854776000;)
    else
      local.get 0
      f64.const -0x1.956eedf66b0cp+434 (;=-70258292203069040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      f64.gt
      if (result f64) ;; label = @2
        f64.const -0x1.956eedf66b0cp+434 (;=-70258292203069040000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000;)
      else
        local.get 0
      end
    end
    i64.trunc_f64_s
    drop
  )
  (data (;0;) (i32.const 65520) "Q\af\08\f3")
  (data (;1;) (i32.const 0) "\10\9b^R-\0a\17\06\bdm\f2\16h\e0")
)
