print("myc-bench")
