def fit(generator, data):
    raise NotImplementedError
