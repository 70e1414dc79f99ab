"""Generated, labelled call-reason lines (train/dev from different templates) for models/train_call_reason.py."""
