"""The Jekyll format: posts in the golden form (:mod:`.post`),
the site around them (:mod:`.pages`)."""
