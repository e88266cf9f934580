"""The board paper: the periodic summary as a document in the shape a board reads (cover,
recommendations, executive summary, background, the RAG table, exceptions, risks, future plans
and the sections a service adds), with a progress chart. Built from the summary's outline
(`bot.plan.outline`) and the plan's paper settings, then written as DOCX, PDF or HTML."""
