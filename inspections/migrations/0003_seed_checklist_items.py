"""Seed the default checklist from directive 455/UBND-NV (2018), item 2 (and item 1 for badges).
Codes are stable: other features find items by code (e.g. `work_diaries` shows diary evidence)."""

from django.db import migrations

DIRECTIVE = "Công văn 455/UBND-NV ngày 25/5/2018 của UBND huyện Vĩnh Hưng"

ITEMS = [
    # code, text, basis
    ("work_diaries",
     "Sổ nhật ký công việc của cán bộ, công chức, viên chức được cập nhật đầy đủ",
     f"{DIRECTIVE}, mục 2: mở sổ nhật ký công việc đối với mỗi cán bộ, công chức, viên chức."),
    ("working_regulations",
     "Quy chế làm việc được rà soát, sửa đổi, bổ sung phù hợp với yêu cầu, nhiệm vụ",
     f"{DIRECTIVE}, mục 2: rà soát, sửa đổi, bổ sung quy chế làm việc."),
    ("task_assignment",
     "Phân công nhiệm vụ rõ người, rõ việc, rõ trách nhiệm",
     f"{DIRECTIVE}, mục 2: phân công nhiệm vụ phải rõ người, rõ việc, rõ trách nhiệm."),
    ("periodic_reports",
     "Thực hiện chế độ thông tin, báo cáo định kỳ, đột xuất đúng hạn",
     f"{DIRECTIVE}, mục 2: nghiêm túc thực hiện chế độ thông tin báo cáo."),
    ("citizen_reception",
     "Tiếp đón, hướng dẫn tổ chức, công dân lịch sự, tận tình, rõ ràng",
     f"{DIRECTIVE}, mục 3: thái độ lịch sự, tôn trọng, hòa nhã khi giao dịch với tổ chức, "
     "công dân."),
    ("badges_worn",
     "Cán bộ, công chức, viên chức đeo thẻ khi thực thi công vụ",
     f"{DIRECTIVE}, mục 1: thực hiện nghiêm túc đeo thẻ công chức khi thực hiện nhiệm vụ."),
]


def seed(apps, schema_editor):
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    for order, (code, text, basis) in enumerate(ITEMS, start=1):
        ChecklistItem.objects.update_or_create(
            code=code, defaults={"text": text, "basis": basis, "sort_order": order * 10}
        )


def unseed(apps, schema_editor):
    ChecklistItem = apps.get_model("inspections", "ChecklistItem")
    ChecklistItem.objects.filter(
        code__in=[item[0] for item in ITEMS], answers__isnull=True
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("inspections", "0002_checklist_roll_history")]
    operations = [migrations.RunPython(seed, unseed)]
