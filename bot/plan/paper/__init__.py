"""The board paper's content: the periodic summary as a document in the shape a board reads
(cover, recommendations, executive summary, background, the RAG table, exceptions, risks, future
plans and the sections a service adds), built from the summary's outline (`bot.plan.outline`)
and the plan's paper settings; and the figures of its progress chart. Written as DOCX, PDF and
HTML by `bot.paper`."""
