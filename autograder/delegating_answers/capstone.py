"""Capstone answers that delegate to the kit's finished pipeline and harness: (name, answer cell,
source, lost cells). `vlmkit.evaluation` and `vlmkit.pipeline` are what the capstone asks the
learner to write; what the notebook's locked cells import from them (load_image, normalize_answer,
ERROR_CATEGORIES, IOU_THRESHOLD) stays allowed."""

from vlmkit import paths
from vlmkit.grading.authoring.answer_banks import mistake, solution_answers

SOLUTION = solution_answers(paths.SOLUTIONS / "capstone" / "capstone.ipynb")
PROCESS = '''    def process(self, image, question=None, ground_objects=None):
        """The course's contract (see above): one call, one image, everything asked of it."""
'''

DELEGATING = [
    ("process() hands over to vlmkit.pipeline.Pipeline", "capstone_pipeline",
     "from vlmkit.pipeline import Pipeline\n\n" + mistake(SOLUTION["capstone_pipeline"], (
         PROCESS, PROCESS + "        return Pipeline().process(image, question=question, "
                            "ground_objects=ground_objects)\n")),
     {"capstone_test_pipeline", "capstone_test_evaluate"}),
    ("compute_iou from vlmkit.evaluation", "capstone_iou",
     "from vlmkit import evaluation\n\n\ndef compute_iou(a, b):\n    return evaluation.compute_iou(a, b)\n",
     {"capstone_test_iou", "capstone_test_evaluate", "capstone_test_errors"}),
    ("compute_iou from vlmkit.world.boxes, where the kit's geometry lives", "capstone_iou",
     "from vlmkit.world.boxes import compute_iou as kit_iou\n\n\ndef compute_iou(a, b):\n    return kit_iou(a, b)\n",
     {"capstone_test_iou", "capstone_test_evaluate", "capstone_test_errors"}),
    ("process() through the pretrained backend", "capstone_pipeline",
     mistake(SOLUTION["capstone_pipeline"], (PROCESS, PROCESS + "        from vlmkit.pipeline import pretrained\n"
                                                               "        pretrained.__name__\n")),
     {"capstone_test_pipeline", "capstone_test_evaluate"}),
    ("compute_iou next to the kit's check module", "capstone_iou",
     "import vlmkit.checks.capstone as kit_checks\n\n\ndef compute_iou(a, b):\n"
     "    kit_checks.__name__\n" + SOLUTION["capstone_iou"].split("\n", 2)[2],
     {"capstone_test_iou", "capstone_test_evaluate", "capstone_test_errors"}),
]
