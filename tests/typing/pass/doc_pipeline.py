from procdsl import AsyncJob, AsyncOperation, Doc

op: AsyncOperation = Doc.convert(src="docx", to="png")
job: AsyncJob = op.save_as("test-bucket", "doc_images/{index}.png").notify("test-topic")
bare: AsyncJob = Doc.convert(to="pdf").save_as("out/{barename}.pdf").notify()
keyword: AsyncJob = Doc.convert(to="pdf", pages="1,3-5").save_as(key="a.pdf", bucket=None)
