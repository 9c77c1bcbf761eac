from procdsl import Doc

Doc.convert(src="docx", to="pngg")  # E: arg-type
Doc.convert(src="docx", to="png").notify("t")  # E: attr-defined
Doc.convert(src="docx")  # E: call-arg
Doc.convert(src="docx", to="png").save_as("b", "k").notify("t").save_as("x")  # E: attr-defined
Doc.convert(to="png", width=3)  # E: call-arg
