# Generates the reference numbers that tests/core/test_survival_*.cpp compare against, with R's
# survival package (Debian r-cran-survival 3.5) and coin's glioma data. Run from the project root:
#   Rscript tests/reference/survival_reference.R
# It rewrites tests/reference/survival/*.csv: the data sets themselves (small public R data sets, so
# the C++ tests need no R) and, per case, coefficients, tests, baseline hazard, a predicted curve,
# Kaplan-Meier estimates, log-rank tests, concordance and a logistic regression.
suppressPackageStartupMessages({ library(survival); library(coin) })
out <- "tests/reference/survival"
dir.create(out, showWarnings = FALSE, recursive = TRUE)
write_csv <- function(frame, name) write.csv(frame, file.path(out, name), row.names = FALSE, na = "NA")
full <- function(x) format(x, digits = 17)

# --- the data sets, reduced to numeric columns ---------------------------------------------------
lung_data <- with(survival::lung, data.frame(time, event = status - 1, age, sex, ph_ecog = ph.ecog,
                                             ph_karno = ph.karno, wt_loss = wt.loss))
veteran_data <- with(survival::veteran, data.frame(time, event = status, trt, karno, diagtime, age, prior,
                                                   squamous = as.integer(celltype == "squamous"),
                                                   smallcell = as.integer(celltype == "smallcell"),
                                                   adeno = as.integer(celltype == "adeno")))
pbc_data <- with(survival::pbc, data.frame(time, event = as.integer(status == 2), age, edema,
                                           log_bili = log(bili), log_albumin = log(albumin),
                                           log_protime = log(protime), trt, sex = as.integer(sex == "f")))
rotterdam_data <- with(survival::rotterdam, data.frame(time = dtime, event = death, age, meno, grade,
                                                       nodes, log_pgr = log1p(pgr), log_er = log1p(er),
                                                       hormon, chemo,
                                                       size_20_50 = as.integer(size == "20-50"),
                                                       size_over_50 = as.integer(size == ">50")))
data(glioma, package = "coin")
glioma_data <- with(glioma, data.frame(time, event = as.integer(event), age, male = as.integer(sex == "Male"),
                                       gbm = as.integer(histology == "GBM"), rit = as.integer(group == "RIT")))
# Therneau & Grambsch's 7-row example (one row has a missing status and is dropped).
textbook_data <- data.frame(time = c(9, 3, 1, 1, 6, 6, 8), event = c(1, NA, 1, 0, 1, 1, 0),
                            x = c(0, 2, 1, 1, 1, 0, 0))
datasets <- list(lung = lung_data, veteran = veteran_data, pbc = pbc_data, rotterdam = rotterdam_data,
                 glioma = glioma_data, textbook = textbook_data)
for (name in names(datasets)) write_csv(datasets[[name]], paste0("data_", name, ".csv"))

# The shared TCGA-LGG table (not copied into the project): only its reference numbers are kept.
tcga_path <- "../shared/data/tables/tcga_lgg/clinical_info.csv"
if (file.exists(tcga_path)) {
  tcga <- read.csv(tcga_path, check.names = FALSE)
  tcga <- tcga[, !duplicated(names(tcga)) & names(tcga) != ""]
  datasets$tcga_lgg <- data.frame(time = tcga$daystolastordeath, event = tcga$death01,
                                  age = tcga$age_at_initial_pathologic, IDH1 = tcga$IDH1,
                                  codeletion = tcga$`1p_19q_co_del_status`)
}

# --- the Cox cases: one row each, read by the C++ test too -----------------------------------------
cases <- data.frame(
  case = c("lung", "lung_strata", "veteran", "pbc", "rotterdam", "glioma", "textbook", "tcga_lgg"),
  dataset = c("lung", "lung", "veteran", "pbc", "rotterdam", "glioma", "textbook", "tcga_lgg"),
  covariates = c("age sex ph_ecog wt_loss", "age ph_ecog ph_karno", "trt karno diagtime age prior squamous smallcell adeno",
                 "age edema log_bili log_albumin log_protime", "age meno grade nodes log_pgr log_er hormon chemo size_20_50 size_over_50",
                 "age male gbm rit", "x", "age IDH1 codeletion"),
  strata = c("", "sex", "", "", "", "", "", ""),
  stringsAsFactors = FALSE)
cases <- cases[cases$dataset %in% names(datasets), ]
write_csv(cases, "cox_cases.csv")

for (k in seq_len(nrow(cases))) {
  case <- cases[k, ]
  covariates <- strsplit(case$covariates, " ")[[1]]
  columns <- c("time", "event", covariates, if (case$strata != "") case$strata)
  frame <- na.omit(datasets[[case$dataset]][, columns])
  rhs <- paste(covariates, collapse = " + ")
  if (case$strata != "") rhs <- paste0(rhs, " + strata(", case$strata, ")")
  for (ties in c("efron", "breslow")) {
    fit <- coxph(as.formula(paste("Surv(time, event) ~", rhs)), data = frame, ties = ties,
                 control = coxph.control(eps = 1e-11, iter.max = 50))
    prefix <- paste0("cox_", case$case, "_", ties)
    write_csv(data.frame(name = names(coef(fit)), coef = full(coef(fit)),
                         se = full(sqrt(diag(vcov(fit))))), paste0(prefix, "_coef.csv"))
    harrell <- concordance(fit)$concordance
    uno <- concordance(fit, timewt = "n/G2")$concordance
    summary_values <- c(n = fit$n, events = fit$nevent, loglik_null = fit$loglik[1], loglik = fit$loglik[2],
                        wald = unname(fit$wald.test), score = unname(fit$score),
                        lr = 2 * (fit$loglik[2] - fit$loglik[1]), concordance = unname(harrell),
                        uno_concordance = unname(uno))
    write_csv(data.frame(key = names(summary_values), value = full(summary_values)), paste0(prefix, "_summary.csv"))
    base <- basehaz(fit, centered = TRUE)
    if (is.null(base$strata)) base$strata <- 0
    write_csv(data.frame(stratum = as.integer(sub(".*=", "", base$strata)), time = base$time,
                         cumhaz = full(base$hazard)), paste0(prefix, "_basehaz.csv"))
    # A predicted curve for the first complete subject (its stratum when stratified).
    newdata <- frame[1, , drop = FALSE]
    curve <- survfit(fit, newdata = newdata)
    write_csv(data.frame(time = curve$time, surv = full(curve$surv), std_err = full(curve$std.err),
                         lower = full(curve$lower), upper = full(curve$upper)), paste0(prefix, "_curve.csv"))
  }
}

# --- Kaplan-Meier (R's defaults: Greenwood, conf.type = "log") and log-rank tests ------------------
for (name in c("lung", "veteran", "pbc", "rotterdam", "glioma")) {
  km <- survfit(Surv(time, event) ~ 1, data = datasets[[name]])
  write_csv(data.frame(time = km$time, n_risk = km$n.risk, n_event = km$n.event, n_censor = km$n.censor,
                       surv = full(km$surv), std_err = full(km$std.err), lower = full(km$lower),
                       upper = full(km$upper)), paste0("km_", name, ".csv"))
  med <- summary(km)$table
  write_csv(data.frame(key = c("median", "median_lower", "median_upper"),
                       value = full(unname(med[c("median", "0.95LCL", "0.95UCL")]))), paste0("km_", name, "_median.csv"))
}
logrank_cases <- data.frame(dataset = c("lung", "veteran", "glioma", "pbc"), group = c("sex", "trt", "rit", "edema"))
logrank <- do.call(rbind, lapply(seq_len(nrow(logrank_cases)), function(k) {
  frame <- datasets[[logrank_cases$dataset[k]]]
  test <- survdiff(as.formula(paste("Surv(time, event) ~", logrank_cases$group[k])), data = frame)
  data.frame(dataset = logrank_cases$dataset[k], group = logrank_cases$group[k], chisq = full(test$chisq),
             df = length(test$n) - 1, p = full(pchisq(test$chisq, length(test$n) - 1, lower.tail = FALSE)))
}))
write_csv(logrank, "logrank.csv")

# --- logistic regression with AUC and DeLong's standard error ------------------------------------
frame <- na.omit(pbc_data[, c("event", "age", "log_bili", "log_albumin", "edema")])
model <- glm(event ~ age + log_bili + log_albumin + edema, family = binomial, data = frame,
             control = glm.control(epsilon = 1e-14, maxit = 100))
score <- predict(model, type = "link")
cases_score <- score[frame$event == 1]
controls_score <- score[frame$event == 0]
placement <- function(a, b) (a > b) + 0.5 * (a == b)
psi <- outer(cases_score, controls_score, placement)
auc <- mean(psi)
v10 <- rowMeans(psi)
v01 <- colMeans(psi)
delong_se <- sqrt(var(v10) / length(cases_score) + var(v01) / length(controls_score))
write_csv(data.frame(name = names(coef(model)), coef = full(coef(model)),
                     se = full(sqrt(diag(vcov(model))))), "logistic_pbc_coef.csv")
write_csv(data.frame(key = c("auc", "delong_se", "deviance", "null_deviance"),
                     value = full(c(auc, delong_se, deviance(model), model$null.deviance))), "logistic_pbc_summary.csv")
# --- the logistic model's prediction for new patients: probability with its delta-method interval ---
# R's se.fit uses the full covariance of (intercept, coefficients); the interval is plogis(eta -/+ z se).
# glm's vcov comes from the weights of its last iteration, i.e. at the iterate before the final step (here 3e-6
# relative from the information at the estimate); one more iteration started at the estimate gives the
# covariance at the estimate itself (to 1e-12), which is what the core computes.
at_estimate <- glm(event ~ age + log_bili + log_albumin + edema, family = binomial, data = frame,
                   start = coef(model), control = glm.control(epsilon = 1e-14, maxit = 100))
newdata <- data.frame(age = c(50, 38.5, 70, 45.25), log_bili = c(0, log(2.5), log(12), log(0.6)),
                      log_albumin = c(log(3.5), log(3.1), log(2.6), log(4.2)), edema = c(0, 0.5, 1, 0))
link <- predict(at_estimate, newdata, type = "link", se.fit = TRUE)
prediction <- do.call(rbind, lapply(c(0.95, 0.8), function(level) {
  z <- qnorm(1 - (1 - level) / 2)
  data.frame(level = level, age = full(newdata$age), log_bili = full(newdata$log_bili),
             log_albumin = full(newdata$log_albumin), edema = full(newdata$edema), eta = full(link$fit),
             se = full(link$se.fit), probability = full(plogis(link$fit)),
             lower = full(plogis(link$fit - z * link$se.fit)), upper = full(plogis(link$fit + z * link$se.fit)))
}))
write_csv(prediction, "logistic_pbc_prediction.csv")
cat("reference written to", out, "\n")
